def main():\n    print('ok')
