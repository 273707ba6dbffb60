{{ stg_load_history('maxemail') }}
