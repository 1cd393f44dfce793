"""Attachments of work orders: files on disk, rows in ``attachments``, access via the order."""
