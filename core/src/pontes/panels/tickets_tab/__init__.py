"""The Tickets tab of a CRM record: a helpdesk's tickets of a contact, company or deal,
shown and worked from the CRM (recipe ``tickets_tab``)."""
