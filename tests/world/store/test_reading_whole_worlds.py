"""Reading a whole stored world (`export_model`): every policy once, any JSON number, the collector restored."""

from __future__ import annotations

import gc

from iamtwin.world.stored import World

ACCOUNT = "111122223333"
BIG = 2**70  # beyond 64 bits: the fast JSON reader refuses it, the standard library's reads it
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"s3:max-keys": BIG}},
        }
    ],
}


def test_a_world_reads_back_with_shared_policies_and_any_number(world: World) -> None:
    """Groups, users and roles share the managed policies read once; documents keep integers of any size."""
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        arn = iam.create_policy(ACCOUNT, "list", POLICY).arn
        iam.create_group(ACCOUNT, "readers")
        iam.attach_policy("group", ACCOUNT, "readers", arn)
        iam.create_user(ACCOUNT, "alice")
        iam.attach_policy("user", ACCOUNT, "alice", arn)
        iam.add_user_to_group(ACCOUNT, "readers", "alice")
        iam.put_inline_policy("user", ACCOUNT, "alice", "big", POLICY)
    model = world.export_model().accounts[ACCOUNT]
    alice = model.users["alice"]
    assert alice.inline_policies[0].document == POLICY
    assert alice.managed_policies[0] is alice.groups[0].managed_policies[0] is model.policies["list"]
    assert model.policies["list"].document["Statement"][0]["Condition"]["NumericLessThan"]["s3:max-keys"] == BIG


def test_reading_a_world_leaves_the_collector_as_it_was(world: World) -> None:
    """The collector is paused while a world is read and restored after, enabled or not."""
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
    assert gc.isenabled()
    world.export_model()
    assert gc.isenabled()
    gc.disable()
    try:
        world.export_model()
        assert not gc.isenabled()
    finally:
        gc.enable()
