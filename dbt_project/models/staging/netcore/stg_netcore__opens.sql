{#- One row per entry of a message's `opens` (macro stg_netcore_message_children). -#}
{{ stg_netcore_message_children(
    table='events__opens',
    index_column='open_index',
    event_at='opened_at',
) }}
