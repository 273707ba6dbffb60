{#- One row per entry of a message's `clicks` (macro stg_netcore_message_children). -#}
{{ stg_netcore_message_children(
    table='events__clicks',
    index_column='click_index',
    event_at='clicked_at',
    columns=["nullif(trim(entry_fields.link), '') as link_url"],
) }}
