"""The form renderer: Django's widget templates rendered through Jinja2.

A form page spends most of its time rendering one small widget template per field and per
radio or checkbox option (the 35-field visit form: ~35 of them, plus ~24 options). Django
ships every built-in widget template twice, in its own template language and in Jinja2, and
its ``Jinja2`` renderer uses the latter: the same HTML (whitespace aside), autoescaped the
same way, for ~25 % less CPU on the visit form (bench/LOAD.md).

The admin's widgets (``admin/widgets/...``) exist only as Django templates, so a template
Jinja2 does not have is rendered by Django's own engine, as before. The one catch: to change
the HTML of a built-in widget, override its Jinja2 template (``<app>/jinja2/django/forms/
widgets/...``); an override in Django's template language would never be reached.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
