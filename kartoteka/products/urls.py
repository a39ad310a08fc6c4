from django.urls import path

from kartoteka.products import views

app_name = "products"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/new/", views.ProductEditView.as_view(), name="product_create"),
    path("products/unmet-demand/", views.demand_add, name="demand_add"),
    path("products/autocomplete/", views.product_autocomplete, name="product_autocomplete"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product_edit"),
    path("products/<int:pk>/cell/<str:field>/", views.ProductCellView.as_view(), name="product_cell"),
    path("products/<int:pk>/timeline/", views.ProductTimelineView.as_view(), name="product_timeline"),
    path("products/<int:pk>/active/", views.ProductActiveView.as_view(), name="product_active"),
]
