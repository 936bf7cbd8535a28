
app_name = "portal"

urlpatterns: list = []  # type: ignore[type-arg]
