"""Attachments of work orders (附件): the use case and its ports; the rules are in ``orders.attachments``."""
