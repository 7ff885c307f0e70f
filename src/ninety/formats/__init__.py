"""Django's date formats for English (settings.FORMAT_MODULE_PATH): the house's one human format
(ninety.core.dates) wherever a template prints a date without a filter."""
