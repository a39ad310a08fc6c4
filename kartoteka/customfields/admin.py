from django.contrib import admin

from kartoteka.customfields.models import Tag

admin.site.register(Tag)
