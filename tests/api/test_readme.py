"""Every ```graphql block of README.md is valid against the schema, and every self-contained
operation in it (no variables, not a subscription) runs without errors on a fresh server with
the built-in demo agents, exactly as a reader would paste it, on any day."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    parse,
    print_ast,
    validate,
)

from graph.schema import schema
from services.settings import Settings
from tests.support.client import gql, in_process_server
from tests.support.databases import ROOT

README = ROOT / "README.md"
BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Example:
    block: int  # 1-based, in README order
    name: str
    operation: OperationDefinitionNode

    @property
    def text(self) -> str:
        return print_ast(DocumentNode(definitions=(self.operation,)))

    @property
    def self_contained(self) -> bool:
        return not self.operation.variable_definitions and (
            self.operation.operation is not OperationType.SUBSCRIPTION
        )


def readme_examples() -> list[Example]:
    """Each operation of each block on its own (a block may list several, one per line)."""
    examples = []
    for number, match in enumerate(BLOCK.finditer(README.read_text(encoding="utf-8")), 1):
        for definition in parse(match.group(1)).definitions:
            assert isinstance(definition, OperationDefinitionNode), f"block {number}"
            field = definition.selection_set.selections[0]
            assert isinstance(field, FieldNode), f"block {number}"
            label = definition.name.value if definition.name else field.name.value
            examples.append(Example(number, f"block {number}: {label}", definition))
    return examples


EXAMPLES = readme_examples()


def test_the_readme_has_examples_of_every_kind() -> None:
    kinds = {e.operation.operation for e in EXAMPLES}
    assert kinds == {OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION}
    assert sum(e.self_contained for e in EXAMPLES) >= len(EXAMPLES) // 2


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_every_readme_operation_is_valid(example: Example) -> None:
    errors = validate(schema._schema, DocumentNode(definitions=(example.operation,)))
    assert errors == [], f"{example.name}: {[e.message for e in errors]}\n{example.text}"


async def test_self_contained_readme_operations_run_on_a_fresh_server(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'readme.db'}")
    failures = []
    async with in_process_server(settings) as server:
        for example in (e for e in EXAMPLES if e.self_contained):
            body = await gql(server.url, example.text)
            if body.get("errors") or body["_status"] != 200:
                failures.append(f"{example.name}: {body.get('errors')}")
            else:
                assert body["data"], example.name
    assert failures == []
