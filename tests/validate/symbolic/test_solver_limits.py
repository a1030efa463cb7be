"""The solver's time limit: a query it cannot finish in time is UNKNOWN (exit 3), never a guess."""

from __future__ import annotations

from iamtwin.cli.custom_checks_command import EXIT_CODES
from iamtwin.policy.parse import parse_policy
from iamtwin.validate.symbolic import Verdict, check_no_new_access


def _hard_pair() -> tuple[dict[str, object], dict[str, object]]:
    """Policies whose comparison needs string reasoning over many interleaved wildcards."""
    patterns = [f"arn:aws:s3:::b/*{c}*{d}*{c}{d}*" for c in "abcdefgh" for d in "ijklmnop"]
    existing = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": patterns}],
    }
    new = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*a*i*"}],
    }
    return existing, new


def test_a_timeout_is_unknown_not_a_guess() -> None:
    """With a 1 ms limit the check cannot decide; the verdict is UNKNOWN with the undecided statement named."""
    existing, new = _hard_pair()
    result = check_no_new_access(parse_policy(existing), parse_policy(new), timeout_ms=1)
    assert result.verdict is Verdict.UNKNOWN, result.to_dict()
    (reason,) = result.reasons
    assert reason.undecided and reason.witness is None and reason.statement_index == 0
    assert EXIT_CODES[result.verdict] == 3
