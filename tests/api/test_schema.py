"""schema.graphql at the root is the exported schema, and every field is described."""

from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType
from strawberry.types.enum import StrawberryEnumDefinition

from graph.schema import schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_matches_the_code() -> None:
    exported = schema.as_str() + "\n"
    on_disk = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk == exported, "schema.graphql is stale: run `make schema`"


def test_every_type_and_field_has_a_description() -> None:
    missing = []
    for name, gql_type in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(
            gql_type, GraphQLObjectType | GraphQLInputObjectType
        ):
            continue
        if not gql_type.description:
            missing.append(name)
        missing.extend(
            f"{name}.{f}" for f, field in gql_type.fields.items() if not field.description
        )
    assert missing == []


def test_every_enum_is_a_service_enum_with_described_values() -> None:
    """One definition per enum: GraphQL exposes the service's class, so members cannot drift."""
    enums = [
        schema.get_type_by_name(name)
        for name, gql_type in schema._schema.type_map.items()
        if isinstance(gql_type, GraphQLEnumType) and not name.startswith("__")
    ]
    assert len(enums) >= 8
    for definition in enums:
        assert isinstance(definition, StrawberryEnumDefinition)
        cls = definition.wrapped_cls
        assert cls.__module__.startswith("services."), f"{definition.name} is a copy in {cls}"
        assert [v.name for v in definition.values] == list(cls.__members__)
        assert all(v.description for v in definition.values), definition.name
