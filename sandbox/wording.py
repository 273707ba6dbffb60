"""Campaign wording every provider's generator shares: themes (campaign names) and subject
lines, so the four accounts read like one company's mail."""

THEMES = (
    "Spring sale", "Weekly news", "Product launch", "Customer survey", "Summer offers",
    "Loyalty update", "Webinar invite", "Back in stock", "Member news", "Season finale",
)  # fmt: skip
# Commas, quotes and non-ASCII on purpose: the export must quote and encode them (RFC 4180, UTF-8).
SUBJECTS = (
    "Spring is here, and so are our deals",
    'Our "best ever" weekly news',
    "Nyheter för våren – 20 % rabatt",
    "Tell us what you think",
    "New arrivals you'll love",
    "Your member update",
)
