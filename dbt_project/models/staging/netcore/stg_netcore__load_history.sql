{{ stg_load_history('netcore') }}
