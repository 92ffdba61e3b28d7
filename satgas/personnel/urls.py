app_name = "personnel"
urlpatterns = []
