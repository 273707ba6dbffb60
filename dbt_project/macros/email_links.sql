{#-
    email_link_key: the key of a link of a campaign (CONTRACTS.md 8), md5 of provider, account_id,
    campaign_id, and the link id when the link has one, else its URL (the link_id slot empty, the
    URL slot filled, so an id and a URL never give the same key). The arguments are SQL
    expressions; email_campaign_link_activity and int_email_links__listed key links with it.
-#}
{% macro email_link_key(provider, account_id, campaign_id, link_id, link_url) -%}
    {{ email_event_id([
        provider,
        account_id,
        campaign_id,
        link_id,
        'case when ' ~ link_id ~ ' is null then ' ~ link_url ~ ' end',
    ]) }}
{%- endmacro %}
