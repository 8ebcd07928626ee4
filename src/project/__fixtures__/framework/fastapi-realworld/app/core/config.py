def get_app_settings():
    raise NotImplementedError
