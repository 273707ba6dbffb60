{{ stg_load_history('benchmark') }}
