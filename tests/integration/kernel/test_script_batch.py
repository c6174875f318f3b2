"""Callers of one Redis script share its round trips, each still gets its own answer (real Redis)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from workhub.kernel.script_batch import ScriptBatch

# Per caller: count a visit to KEYS[1] and read KEYS[2] (false when absent, as the auth check does).
SCRIPT = """
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = redis.call('INCR', KEYS[i])
  out[#out + 1] = redis.call('GET', KEYS[i + 1])
end
return out
"""


async def script_calls(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return sum(int(stats.get(name, {}).get("calls", 0)) for name in ("cmdstat_evalsha", "cmdstat_eval"))


async def test_concurrent_callers_share_calls_and_get_their_own_values(redis: Redis) -> None:
    for n in range(0, 40, 2):
        await redis.set(f"label:{n}", f"caller {n}")
    batch = ScriptBatch(redis, SCRIPT, keys_per_call=2, values_per_call=2)
    before = await script_calls(redis)

    answers = await asyncio.gather(*(batch.run([f"visits:{n}", f"label:{n}"]) for n in range(40)))

    # Each caller sees its own counter and its own label; odd callers have none, and
    # the missing value does not shift anyone else's.
    assert answers == [[1, f"caller {n}".encode() if n % 2 == 0 else None] for n in range(40)]
    calls = await script_calls(redis)
    assert calls - before < 40
    # A caller alone is answered at once, by a call of its own.
    assert await batch.run(["visits:0", "label:0"]) == [2, b"caller 0"]
    assert await script_calls(redis) == calls + 1


async def test_an_error_reaches_every_caller_of_the_call_and_the_next_call_works(redis: Redis) -> None:
    await redis.set("visits:broken", "not a number")
    batch = ScriptBatch(redis, SCRIPT, keys_per_call=2, values_per_call=2)
    keys = [["visits:a", "label:a"], ["visits:broken", "label:b"], ["visits:c", "label:c"]]

    results = await asyncio.gather(*(batch.run(k) for k in keys), return_exceptions=True)

    # The three shared one call, which failed on the second caller's key.
    assert all(isinstance(r, ResponseError) for r in results)
    # Redis keeps what a script did before it failed: the first caller's visit counted.
    assert await batch.run(["visits:a", "label:a"]) == [2, None]


async def test_a_caller_that_gives_up_does_not_disturb_the_others(redis: Redis) -> None:
    batch = ScriptBatch(redis, SCRIPT, keys_per_call=2, values_per_call=2)
    first = asyncio.ensure_future(batch.run(["visits:x", "label:x"]))
    leaving = asyncio.ensure_future(batch.run(["visits:y", "label:y"]))
    staying = asyncio.ensure_future(batch.run(["visits:z", "label:z"]))
    await asyncio.sleep(0)
    leaving.cancel()

    assert await first == [1, None]
    assert await staying == [1, None]
    assert leaving.cancelled()


async def test_the_number_of_keys_is_checked(redis: Redis) -> None:
    batch = ScriptBatch(redis, SCRIPT, keys_per_call=2, values_per_call=2)
    with pytest.raises(ValueError, match="expected 2 keys"):
        await batch.run(["only one"])
