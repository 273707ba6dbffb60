{#-
    Maxemail's own total clicks of each link, in the conformed shape (macro
    conformed_columns('email_link_totals')): its `clicked` rows are per-recipient running totals
    (a row per recipient, message and URL, re-exported with a higher `click count` after each
    click), so a link's total is the sum over recipients of the highest count seen, not the
    number of rows. Maxemail has no link ids: its links are URLs.
-#}

with

clicks as (

    select * from {{ ref('stg_maxemail__clicks') }}
    where link_url is not null

),

recipient_links as (

    -- one row per recipient, message and URL: the highest running click count seen
    select
        account_id,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        email_address,
        link_url,
        max(click_count) as click_count

    from clicks
    group by account_id, email_id, email_address, link_url

),

conformed as (

    select
        {{ email_link_key(
            "'maxemail'", 'account_id', 'campaign_id', 'cast(null as ' ~ dbt.type_string() ~ ')',
            'link_url',
        ) }} as link_key,
        cast(sum(click_count) as {{ dbt.type_bigint() }}) as total_click_count

    from recipient_links
    group by account_id, campaign_id, link_url

)

select * from conformed
