{#-
    One row per provider, account_id, campaign_id and link_url with at least one click on the
    URL (CONTRACTS.md section 8). unique_click_count = distinct recipients who clicked the URL;
    total_click_count = click events on it, except Maxemail, whose `clicked` rows are
    per-recipient aggregates (a row's `click count` is the recipient's running total on the URL
    when exported): there the total is the sum over recipients of the highest `click count` seen
    for the URL (stg_maxemail__clicks). Clicks without a URL (Maxemail `responded`) are not links.
-#}

{%- set providers = enabled_providers() %}

with

clicks as (

    select * from {{ ref('fct_email_events') }}
    where event_type = 'clicked'
        and link_url is not null

),

{% if 'maxemail' in providers -%}
maxemail_clicks as (

    select * from {{ ref('stg_maxemail__clicks') }}
    where link_url is not null

),

maxemail_recipient_links as (

    -- one row per recipient, message and URL: the highest running click count seen
    select
        account_id,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        email_address,
        link_url,
        max(click_count) as click_count

    from maxemail_clicks
    group by account_id, email_id, email_address, link_url

),

maxemail_link_totals as (

    select
        'maxemail' as provider,
        account_id,
        campaign_id,
        link_url,
        sum(click_count) as total_click_count

    from maxemail_recipient_links
    group by account_id, campaign_id, link_url

),

{% endif -%}

link_events as (

    select
        provider,
        account_id,
        campaign_id,
        link_url,
        max(link_title) as link_title,
        count(distinct recipient_key) as unique_click_count,
        count(*) as click_event_count,
        min(occurred_at) as first_clicked_at,
        max(occurred_at) as last_clicked_at

    from clicks
    group by provider, account_id, campaign_id, link_url

),

final as (

    select
        link_events.provider,
        link_events.account_id,
        link_events.campaign_id,
        link_events.link_url,
        link_events.link_title,
        link_events.unique_click_count,
        cast(
            {% if 'maxemail' in providers -%}
            case
                when link_events.provider = 'maxemail'
                    then coalesce(maxemail_link_totals.total_click_count, link_events.click_event_count)
                else link_events.click_event_count
            end
            {%- else -%}
            link_events.click_event_count
            {%- endif %}
            as {{ dbt.type_bigint() }}
        ) as total_click_count,
        link_events.first_clicked_at,
        link_events.last_clicked_at

    from link_events
    {% if 'maxemail' in providers -%}
    left join maxemail_link_totals
        on link_events.provider = maxemail_link_totals.provider
        and link_events.account_id = maxemail_link_totals.account_id
        and link_events.campaign_id = maxemail_link_totals.campaign_id
        and link_events.link_url = maxemail_link_totals.link_url
    {%- endif %}

)

select * from final
