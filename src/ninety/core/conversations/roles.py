"""Which speaker is the rep: from a mapping (label → role), or by matching the rep's name.

Every other speaker, named or not ("Unknown speaker", "Speaker 2"), is the prospect's side: a
call is the rep and the people they called. A file in which no speaker (or more than one) can be
the rep is an error that asks for a mapping, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

REP, PROSPECT = "rep", "prospect"
ROLES = (REP, PROSPECT)
_ALIASES = {"rep": REP, "seller": REP, "agent": REP, "prospect": PROSPECT, "customer": PROSPECT,
            "buyer": PROSPECT, "client": PROSPECT}  # fmt: skip


class RoleError(ValueError):
    """The rep's speaker cannot be told: the message says why and what to give."""


def _words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


def role_name(value: str) -> str:
    """``rep`` or ``prospect`` from a mapping's value (``seller``, ``customer`` … accepted)."""
    role = _ALIASES.get(value.strip().lower())
    if role is None:
        raise RoleError(f"unknown role {value!r}: use rep or prospect")
    return role


def _name_score(label: str, rep_name: str) -> int:
    """3: the full name; 2: all the label's words are in the name (``Sam``, ``Sam P``);
    1: the name's first word leads the label (``Sam (Acme Solar)``); 0: no match."""
    lw, nw = _words(label), _words(rep_name)
    if not lw or not nw:
        return 0
    if lw == nw:
        return 3
    if all(w in nw or (len(w) == 1 and any(n.startswith(w) for n in nw)) for w in lw):
        return 2
    return 1 if lw[0] == nw[0] else 0


def assign_roles(
    speakers: Iterable[str], rep_name: str, mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Each speaker label → ``rep`` or ``prospect``."""
    labels = list(dict.fromkeys(speakers))
    if mapping:
        wanted = {k.strip().lower(): role_name(v) for k, v in mapping.items()}
        roles = {s: wanted.get(s.strip().lower(), PROSPECT) for s in labels}
        if REP not in roles.values():
            raise RoleError(f"the mapping names no rep among the speakers ({', '.join(labels)})")
        return roles
    scores = {s: _name_score(s, rep_name) for s in labels}
    best = max(scores.values(), default=0)
    if best == 0:
        raise RoleError(
            f"no speaker matches the rep's name {rep_name!r} (speakers: {', '.join(labels)}); "
            "give a speaker mapping such as 'Agent 1=rep'"
        )
    top = [s for s, v in scores.items() if v == best]
    if len(top) > 1:
        raise RoleError(
            f"several speakers could be {rep_name!r} ({', '.join(top)}); give a speaker mapping"
        )
    return {s: REP if s == top[0] else PROSPECT for s in labels}


def parse_mapping(text: str) -> dict[str, str]:
    """``"Agent 1=rep, Caller=prospect"`` → a mapping (roles checked)."""
    out = {}
    for part in filter(None, (p.strip() for p in re.split(r"[,;\n]", text or ""))):
        label, sep, role = part.partition("=")
        if not sep or not label.strip():
            raise RoleError(f"cannot read {part!r}: write speaker=role, e.g. 'Agent 1=rep'")
        out[label.strip()] = role_name(role)
    return out
