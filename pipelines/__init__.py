"""email-analytics-elt loader: one dlt source per email service provider."""
