"""The local cloud (`trivia up`): the template's handlers behind real endpoints on 127.0.0.1.

    cloud.py          supervisor: starts every part in order, stops them all (LocalCloud)
    processes.py      child processes that die with the cloud (PDEATHSIG)
    moto_server.py    moto in its own process, one request at a time
    redis_server.py   a real Redis server
    resources.py      the template's tables, topics, user pool and client; handler environment
    lambda_runtime.py handlers called in-process from a worker pool, with a LambdaContext
    http_gateway.py   API Gateway HTTP API (routes.py, api_events.py, authorizer.py, cors.py)
    sns_bridge.py     SNS -> Lambda with retries and dead letters
    seed.py           sample quizzes through the public API
"""
