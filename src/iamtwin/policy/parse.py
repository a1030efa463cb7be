"""Parse a policy document (JSON text or a mapping) into the frozen models of policy.model.

The grammar follows https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html.
Every problem is collected before anything is raised, so one PolicySyntaxError carries them all.
What the grammar allows but a given policy type forbids (a Principal in an identity policy, a
missing Resource) is left to the validator: the same parser reads trust and resource policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import PolicySyntaxError
from .model import VERSION_2008, VERSION_2012, Condition, Effect, PolicyDocument, PrincipalSet, Statement
from .operators import split_operator
from .problems import ProblemLog, json_type
from .source import child_path, item_path, read_json

TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
_VERSIONS = (VERSION_2012, VERSION_2008)


def parse_policy(source: str | bytes | Mapping[str, object]) -> PolicyDocument:
    """Parse a policy from JSON text or a mapping; raise PolicySyntaxError listing every problem."""
    numbers: Mapping[str, str] = {}
    positions: Mapping[str, tuple[int, int]] = {}
    if isinstance(source, str | bytes | bytearray):
        parsed = read_json(source)
        value, positions, numbers = parsed.value, parsed.positions, parsed.number_texts
        log = ProblemLog(positions)
        log.extend(parsed.duplicates)
    else:
        value = source
        log = ProblemLog(positions)
    document = _Parser(log, numbers).document(value, positions)
    if len(log) or document is None:
        raise PolicySyntaxError(log.problems())
    return document


def _names(names: tuple[str, ...]) -> str:
    quoted = [f"`{n}`" for n in names]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _closest(name: str, names: tuple[str, ...]) -> str:
    for known in names:
        if known.lower() == name.lower():
            return f"; did you mean `{known}`?"
    return ""


@dataclass(slots=True)
class _Parser:
    """Walks one document, recording problems in `log` and building models where none occur."""

    log: ProblemLog
    numbers: Mapping[str, str]

    def document(self, value: object, positions: Mapping[str, tuple[int, int]]) -> PolicyDocument | None:
        """The whole policy, or None when a problem was found."""
        if not isinstance(value, Mapping):
            self.log.add("INVALID_TYPE", f"a policy must be an object, not {json_type(value)}", "")
            return None
        members = self.members(value, "", TOP_ELEMENTS, "policy")
        version = self.version(members)
        policy_id = self.optional_string(members, "Id", "")
        statements, is_list = self.statements(members)
        if len(self.log) or statements is None:
            return None
        return PolicyDocument(version, policy_id, statements, is_list, positions)

    def members(
        self, value: Mapping[object, object], path: str, known: tuple[str, ...], what: str
    ) -> dict[str, object]:
        """The members of an object whose names the grammar defines; reports the others."""
        found: dict[str, object] = {}
        for name, member in value.items():
            if isinstance(name, str) and name in known:
                found[name] = member
                continue
            shown = str(name)
            hint = _closest(shown, known) if isinstance(name, str) else ""
            self.log.add("UNKNOWN_ELEMENT", f"unknown {what} element `{shown}`{hint}", child_path(path, shown))
        return found

    def version(self, members: Mapping[str, object]) -> str | None:
        """The Version element, one of the two dates AWS defines."""
        version = self.optional_string(members, "Version", "")
        if version is not None and version not in _VERSIONS:
            self.log.add("INVALID_VERSION", f"unknown version `{version}`; use `{VERSION_2012}`", "Version")
            return None
        return version

    def optional_string(self, members: Mapping[str, object], name: str, path: str) -> str | None:
        """An optional element whose value must be a string."""
        if name not in members:
            return None
        value = members[name]
        if not isinstance(value, str):
            where = child_path(path, name)
            self.log.add("INVALID_TYPE", f"`{name}` must be a string, not {json_type(value)}", where)
            return None
        return value

    def statements(self, members: Mapping[str, object]) -> tuple[tuple[Statement, ...] | None, bool]:
        """The statements, and whether Statement was an array."""
        if "Statement" not in members:
            self.log.add("MISSING_STATEMENT", "the policy has no `Statement` element", "")
            return None, True
        value = members["Statement"]
        if isinstance(value, Mapping):
            single = self.statement(value, 0, "Statement")
            return (None if single is None else (single,)), False
        if not isinstance(value, list | tuple):
            message = f"`Statement` must be an object or an array of objects, not {json_type(value)}"
            self.log.add("INVALID_TYPE", message, "Statement")
            return None, True
        if not value:
            self.log.add("MISSING_STATEMENT", "`Statement` is an empty array", "Statement")
            return None, True
        built: list[Statement] = []
        for index, item in enumerate(value):
            path = item_path("Statement", index)
            if not isinstance(item, Mapping):
                message = f"each statement must be an object, not {json_type(item)}"
                self.log.add("INVALID_TYPE", message, path)
                continue
            statement = self.statement(item, index, path)
            if statement is not None:
                built.append(statement)
        self.unique_sids(value)
        return tuple(built), True

    def unique_sids(self, items: list[object] | tuple[object, ...]) -> None:
        """Report each statement whose Sid an earlier statement already has."""
        # IAM requires a Sid to be unique within a policy:
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
        seen: set[str] = set()
        for index, item in enumerate(items):
            sid = item.get("Sid") if isinstance(item, Mapping) else None
            if not isinstance(sid, str):
                continue
            if sid in seen:
                path = child_path(item_path("Statement", index), "Sid")
                self.log.add("DUPLICATE_SID", f"another statement already has the Sid `{sid}`", path)
            seen.add(sid)

    def statement(self, value: Mapping[object, object], index: int, path: str) -> Statement | None:
        """One statement, or None when it has a problem."""
        before = len(self.log)
        members = self.members(value, path, STATEMENT_ELEMENTS, "statement")
        sid = self.optional_string(members, "Sid", path)
        effect = self.effect(members, path)
        action, not_action = self.pair(members, path, "Action", "NotAction", required=True)
        resource, not_resource = self.pair(members, path, "Resource", "NotResource", required=False)
        principal, not_principal = self.principals(members, path)
        conditions = self.conditions(members, path)
        if len(self.log) != before or effect is None:
            return None
        return Statement(
            index=index,
            sid=sid,
            effect=effect,
            principal=principal,
            not_principal=not_principal,
            action=action,
            not_action=not_action,
            resource=resource,
            not_resource=not_resource,
            conditions=conditions,
            path=path,
        )

    def effect(self, members: Mapping[str, object], path: str) -> Effect | None:
        """The required Effect, exactly `Allow` or `Deny`."""
        if "Effect" not in members:
            self.log.add("MISSING_EFFECT", "the statement has no `Effect` element", path)
            return None
        text = self.optional_string(members, "Effect", path)
        if text is None:
            return None
        if text not in (Effect.ALLOW.value, Effect.DENY.value):
            message = f"unknown effect `{text}`; use `Allow` or `Deny`"
            self.log.add("INVALID_EFFECT", message, child_path(path, "Effect"))
            return None
        return Effect(text)

    def pair(
        self, members: Mapping[str, object], path: str, name: str, negated: str, *, required: bool
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        """An element that may be written positively or negated (Action/NotAction, ...)."""
        if name in members and negated in members:
            message = f"a statement cannot have both `{name}` and `{negated}`"
            self.log.add("CONFLICTING_ELEMENTS", message, child_path(path, negated))
        elif required and name not in members and negated not in members:
            self.log.add("MISSING_ACTION", f"the statement has neither `{name}` nor `{negated}`", path)
        found = [
            None if n not in members else self.strings(members[n], child_path(path, n), n) for n in (name, negated)
        ]
        return found[0], found[1]

    def strings(self, value: object, path: str, name: str) -> tuple[str, ...] | None:
        """A string or an array of strings (the brackets are optional for one value)."""
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list | tuple):
            message = f"`{name}` must be a string or an array of strings, not {json_type(value)}"
            self.log.add("INVALID_TYPE", message, path)
            return None
        texts: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                texts.append(item)
            else:
                message = f"each `{name}` entry must be a string, not {json_type(item)}"
                self.log.add("INVALID_TYPE", message, item_path(path, index))
        return tuple(texts) if len(texts) == len(value) else None

    def principals(self, members: Mapping[str, object], path: str) -> tuple[PrincipalSet | None, PrincipalSet | None]:
        """Principal and NotPrincipal, at most one of them."""
        if "Principal" in members and "NotPrincipal" in members:
            message = "a statement cannot have both `Principal` and `NotPrincipal`"
            self.log.add("CONFLICTING_ELEMENTS", message, child_path(path, "NotPrincipal"))
        found = [
            None if n not in members else self.principal(members[n], child_path(path, n), n)
            for n in ("Principal", "NotPrincipal")
        ]
        return found[0], found[1]

    def principal(self, value: object, path: str, name: str) -> PrincipalSet | None:
        """`*` or an object of principal types to a string or an array of strings."""
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
        if isinstance(value, str):
            if value == "*":
                return PrincipalSet(everyone=True)
            message = f"`{name}` must be `*` or an object of principal types, not the string `{value}`"
            self.log.add("INVALID_PRINCIPAL", message, path)
            return None
        if not isinstance(value, Mapping):
            message = f"`{name}` must be `*` or an object, not {json_type(value)}"
            self.log.add("INVALID_TYPE", message, path)
            return None
        kinds: dict[str, tuple[str, ...]] = {}
        ok = True
        for key, ids in value.items():
            shown = str(key)
            where = child_path(path, shown)
            if not isinstance(key, str) or key not in PRINCIPAL_KEYS:
                message = f"unknown principal type `{shown}`; use {_names(PRINCIPAL_KEYS)}"
                self.log.add("INVALID_PRINCIPAL_KEY", message, where)
                ok = False
                continue
            strings = self.strings(ids, where, f"{name}.{key}")
            ok = ok and strings is not None
            kinds[key] = strings or ()
        if not ok:
            return None
        return PrincipalSet(
            aws=kinds.get("AWS", ()),
            service=kinds.get("Service", ()),
            federated=kinds.get("Federated", ()),
            canonical_user=kinds.get("CanonicalUser", ()),
        )

    def conditions(self, members: Mapping[str, object], path: str) -> tuple[Condition, ...]:
        """The Condition block as one Condition per operator and key."""
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
        if "Condition" not in members:
            return ()
        block = members["Condition"]
        path = child_path(path, "Condition")
        if not isinstance(block, Mapping):
            self.log.add("INVALID_TYPE", f"`Condition` must be an object, not {json_type(block)}", path)
            return ()
        built: list[Condition] = []
        for operator, keys in block.items():
            built.extend(self.operator_block(str(operator), keys, child_path(path, str(operator))))
        return tuple(built)

    def operator_block(self, operator: str, keys: object, path: str) -> list[Condition]:
        """The keys under one condition operator."""
        split = split_operator(operator)
        if split is None:
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
            self.log.add("UNKNOWN_CONDITION_OPERATOR", f"unknown condition operator `{operator}`", path)
            return []
        qualifier, base, if_exists = split
        if base == "Null" and if_exists:
            message = f"`{operator}`: the `Null` operator cannot take the `IfExists` suffix"
            self.log.add("NULL_WITH_IF_EXISTS", message, path)
        if not isinstance(keys, Mapping):
            kind = json_type(keys)
            message = f"condition operator `{operator}` must map to an object of keys, not {kind}"
            self.log.add("INVALID_TYPE", message, path)
            return []
        built: list[Condition] = []
        seen: dict[str, str] = {}
        for key, raw in keys.items():
            key_text = str(key)
            where = child_path(path, key_text)
            earlier = seen.setdefault(key_text.lower(), key_text)
            if earlier != key_text:
                message = f"condition key `{key_text}` repeats `{earlier}` with different capitalization"
                self.log.add("DUPLICATE_CONDITION_KEY", message, where)
            values = self.condition_values(raw, where, key_text)
            if values is not None:
                built.append(Condition(operator, base, qualifier, if_exists, key_text, values, where))
        return built

    def condition_values(self, raw: object, path: str, key: str) -> tuple[str, ...] | None:
        """A scalar or a non-empty array of scalars; booleans and numbers as their JSON text."""
        if not isinstance(raw, list | tuple):
            single = self.scalar(raw, path, key)
            return None if single is None else (single,)
        if not raw:
            message = f"condition key `{key}` has an empty array of values"
            self.log.add("EMPTY_CONDITION_VALUES", message, path)
            return None
        texts = [self.scalar(item, item_path(path, index), key) for index, item in enumerate(raw)]
        if any(text is None for text in texts):
            return None
        return tuple(t for t in texts if t is not None)

    def scalar(self, value: object, path: str, key: str) -> str | None:
        """One condition value as text."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            # From text, the number as written: AWS compares condition values as written.
            return self.numbers.get(path, str(value))
        kind = json_type(value)
        message = f"a value of condition key `{key}` must be a string, number or boolean, not {kind}"
        self.log.add("INVALID_TYPE", message, path)
        return None
