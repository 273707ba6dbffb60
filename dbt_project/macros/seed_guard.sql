{#-
    Seed guard of an incremental model that stores values decoded by seeds (fct_email_events
    keeps `event_type`, `bounce_class`, `bounce_reason` as decoded when each event arrived; an
    incremental run re-decodes only the lookback's rows, so after a seed edit old and new rules
    would mix). One line in the model, `{{ seed_guard() }}`:

    * every build of the model (full or incremental) records, in a post-hook, a checksum of each
      guarded seed's rows as the warehouse holds them, in table `seed_guard` of the seeds' schema
      (one row per model and seed);
    * an incremental run first compares the seeds' checksums now with the recorded ones and
      stops with an error naming the changed seeds and the command that rebuilds the model and
      everything built from it (`--full-refresh -s <model>+`); a full refresh records the new
      ones. A model with no record yet (built before the guard existed) is not stopped: the run
      records the seeds it reads.

    Why stop rather than rebuild by itself: the materialization decides incremental or full
    before the model's SQL runs, and a silent rebuild of years of events is the user's call
    (DECISIONLOG.md "Seed edits stop the incremental facts"). The seeds are tiny: a check is two
    queries.

    `guarded_vars` (issue 16): names of dbt vars whose values the stored rows also depend on
    (fct_email_events: the machine rules, macro machine_rule_vars). They are recorded in the same
    table, as rows `var:<name>` with the value as JSON, and a changed value stops an incremental
    run the same way. A record made before a guarded seed or var existed (a fact built before
    issue 16, whose rows have no machine flags) also stops it, naming the same command.
-#}
{% macro seed_guard(seeds=none, guarded_vars=none) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {#- a unit test's inputs are its fixtures: nothing to guard -#}
        {{- return('') -}}
    {%- endif -%}
    {%- set seeds = seeds or seed_guard_default_seeds() -%}
    {#- ref() at parse time too, so the seeds are known parents of the model -#}
    {%- set relations = {} -%}
    {%- for seed in seeds -%}
        {%- do relations.update({seed: ref(seed)}) -%}
    {%- endfor -%}
    {%- set guarded_vars = guarded_vars or [] -%}
    {{- config(post_hook=[
        "{{ seed_guard_record(" ~ seeds | tojson ~ ", " ~ guarded_vars | tojson ~ ") }}"
    ]) -}}
    {%- if execute and is_incremental() -%}
        {%- set recorded = seed_guard_recorded(relations) -%}
        {%- if recorded -%}
            {%- set now = seed_guard_checksums(relations) -%}
            {%- do now.update(seed_guard_var_values(guarded_vars)) -%}
            {%- set changed = [] -%}
            {%- set unrecorded = [] -%}
            {%- for name in now if recorded.get(name) != now[name] -%}
                {%- if name in recorded -%}
                    {%- do changed.append(name) -%}
                {%- else -%}
                    {%- do unrecorded.append(name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set command = '--full-refresh -s ' ~ this.identifier ~ '+' -%}
            {%- if unrecorded and not changed -%}
                {{ exceptions.raise_compiler_error(
                    this.identifier ~ ' was built before it depended on ' ~ unrecorded | join(', ')
                    ~ ' (e.g. the machine flags of issue 16): its rows lack what they decide, and an'
                    ~ ' incremental run would fill it in for the newest rows only. Rebuild it and'
                    ~ ' the models built from it once: make transform DBT_ARGS="' ~ command
                    ~ '" (dbt build ' ~ command ~ ')'
                ) }}
            {%- endif -%}
            {%- if changed -%}
                {%- set seeds_changed, vars_changed = [], [] -%}
                {%- for name in changed -%}
                    {%- if name.startswith('var:') -%}
                        {%- do vars_changed.append(name[4:]) -%}
                    {%- else -%}
                        {%- do seeds_changed.append(name) -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- set what -%}
                    {%- if seeds_changed -%}seed {{ seeds_changed | join(', ') }}{%- endif -%}
                    {%- if seeds_changed and vars_changed %} and {% endif -%}
                    {%- if vars_changed -%}var {{ vars_changed | join(', ') }}{%- endif -%}
                {%- endset -%}
                {{ exceptions.raise_compiler_error(
                    what ~ ' changed since ' ~ this.identifier
                    ~ ' was built: its rows keep the values decoded by the old one, and an'
                    ~ ' incremental run would decode only the newest rows by the new one. Rebuild'
                    ~ ' it and the models built from it: make transform DBT_ARGS="' ~ command
                    ~ '" (dbt build ' ~ command ~ ')'
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro seed_guard_default_seeds() -%}
    {{ return([
        'email_bounce_codes', 'email_event_type_map', 'email_machine_ip_prefixes', 'email_providers',
    ]) }}
{%- endmacro %}


{#- `var:<name>` -> the var's value as JSON text, for each name of `names` (recorded like seeds). -#}
{% macro seed_guard_var_values(names) -%}
    {%- set values = {} -%}
    {%- for name in names or [] -%}
        {%- do values.update({'var:' ~ name: var(name) | tojson}) -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}


{#- The table of recorded checksums: `seed_guard` in the schema of the first guarded seed. -#}
{% macro seed_guard_relation(relations) -%}
    {%- set first = relations.values() | first -%}
    {{ return(api.Relation.create(
        database=first.database, schema=first.schema, identifier='seed_guard', type='table'
    )) }}
{%- endmacro %}


{#- seed name -> checksum (md5 of its rows as text, sorted), from the warehouse. -#}
{% macro seed_guard_checksums(relations) -%}
    {%- set parts = [] -%}
    {%- for seed, relation in relations.items() -%}
        {%- set fields = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do fields.append(
                "coalesce(cast(" ~ adapter.quote(column.name) ~ " as " ~ dbt.type_string()
                ~ "), '<null>')"
            ) -%}
            {%- if not loop.last -%}{%- do fields.append("'|'") -%}{%- endif -%}
        {%- endfor -%}
        {%- set row_text = dbt.concat(fields) if fields | length > 1 else fields[0] -%}
        {%- do parts.append(
            "select '" ~ seed ~ "' as seed_name, coalesce("
            ~ dbt.hash(dbt.listagg(row_text, "';'", 'order by ' ~ row_text))
            ~ ", 'empty') as checksum from " ~ relation
        ) -%}
    {%- endfor -%}
    {%- set checksums = {} -%}
    {%- for row in run_query(parts | join('\nunion all\n')).rows -%}
        {%- do checksums.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(checksums) }}
{%- endmacro %}


{#- seed name -> the checksum recorded at the model's last build; {} when none is. -#}
{% macro seed_guard_recorded(relations) -%}
    {%- set guard = seed_guard_relation(relations) -%}
    {%- set recorded = {} -%}
    {%- if adapter.get_relation(guard.database, guard.schema, guard.identifier) is not none -%}
        {%- set query -%}
            select seed_name, checksum from {{ guard }}
            where model_name = '{{ this.identifier }}'
        {%- endset -%}
        {%- for row in run_query(query).rows -%}
            {%- do recorded.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(recorded) }}
{%- endmacro %}


{#- The post-hook: record the checksums of the seeds the model was just built with. -#}
{% macro seed_guard_record(seeds, guarded_vars=none) -%}
    {%- if execute -%}
        {%- set relations = {} -%}
        {%- for seed in seeds -%}
            {%- do relations.update({seed: ref(seed)}) -%}
        {%- endfor -%}
        {%- set guard = seed_guard_relation(relations) -%}
        {%- set checksums = seed_guard_checksums(relations) -%}
        {%- do checksums.update(seed_guard_var_values(guarded_vars)) -%}
        {%- call statement('seed_guard_table') -%}
            create table if not exists {{ guard }} (
                model_name {{ dbt.type_string() }},
                seed_name {{ dbt.type_string() }},
                checksum {{ dbt.type_string() }}
            )
        {%- endcall -%}
        {%- call statement('seed_guard_clear') -%}
            delete from {{ guard }} where model_name = '{{ this.identifier }}'
        {%- endcall -%}
        {%- call statement('seed_guard_insert') -%}
            insert into {{ guard }} (model_name, seed_name, checksum) values
            {%- for seed, checksum in checksums.items() %}
            ('{{ this.identifier }}', '{{ seed }}', '{{ checksum | replace("'", "''") }}'){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endcall -%}
    {%- endif -%}
    select 1 as seed_guard_recorded
{%- endmacro %}
