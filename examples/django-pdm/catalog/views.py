from django.http import JsonResponse
from django.shortcuts import render

PRODUCTS = [
    {"sku": "tea-01", "name": "Green tea", "price": "4.50"},
    {"sku": "tea-02", "name": "Black tea", "price": "3.90"},
]


def health(request):
    return JsonResponse({"status": "ok"})


def index(request):
    return render(request, "catalog/index.html", {"products": PRODUCTS})
