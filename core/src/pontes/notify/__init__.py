"""Outgoing notifications: signals about tickets sent to the operator's own webhooks,
signed per the Standard Webhooks specification."""
