"""The expression language: conditions, updates, projections, key conditions, filters,
placeholders, legacy parameters, and their errors, through boto3."""
import pytest

from conftest import make_table
from helpers import error_of, raw, raw_error

V = "ExpressionAttributeValues"
N = "ExpressionAttributeNames"


@pytest.fixture
def table(ddb, table_name):
    make_table(ddb, table_name, "S", "S")
    yield table_name
    ddb.delete_table(TableName=table_name)


KEY = {"pk": {"S": "k"}, "sk": {"S": "1"}}
DOC = {**KEY, "s": {"S": "hello world"}, "n": {"N": "10"}, "b": {"B": b"\x01\x02\x03"}, "t": {"BOOL": True},
       "z": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x01"]},
       "l": {"L": [{"S": "x"}, {"N": "2"}, {"M": {"deep": {"S": "d"}}}]},
       "m": {"M": {"name": {"S": "floe"}, "kid": {"M": {"v": {"N": "1"}}}}}}


def cond_ok(ddb, table, expr, values=None, names=None):
    """True when a PutItem of DOC conditioned on expr succeeds (DOC is already stored)."""
    kwargs = {"ConditionExpression": expr}
    if values:
        kwargs[V] = values
    if names:
        kwargs[N] = names
    try:
        ddb.put_item(TableName=table, Item=DOC, **kwargs)
        return True
    except ddb.exceptions.ConditionalCheckFailedException:
        return False


@pytest.mark.parametrize("expr,values,names,expected", [
    ("n = :v", {":v": {"N": "10.0"}}, None, True),
    ("n <> :v", {":v": {"N": "10"}}, None, False),
    ("n < :v", {":v": {"N": "11"}}, None, True),
    ("n <= :v", {":v": {"N": "10"}}, None, True),
    ("n > :v", {":v": {"N": "10"}}, None, False),
    ("n >= :v", {":v": {"N": "9.99"}}, None, True),
    ("s < :v", {":v": {"S": "hellp"}}, None, True),
    ("b > :v", {":v": {"B": b"\x01\x02"}}, None, True),
    ("n = :v", {":v": {"S": "10"}}, None, False),  # different types are never equal
    ("nothere <> :v", {":v": {"N": "1"}}, None, True),
    ("nothere < :v", {":v": {"N": "1"}}, None, False),
    ("n BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "10"}}, None, True),
    ("n BETWEEN :a AND :b", {":a": {"N": "11"}, ":b": {"N": "20"}}, None, False),
    ("s IN (:a, :b)", {":a": {"S": "x"}, ":b": {"S": "hello world"}}, None, True),
    ("n IN (:a)", {":a": {"N": "3"}}, None, False),
    ("attribute_exists(m.kid.v)", None, None, True),
    ("attribute_exists(l[2].deep)", None, None, True),
    ("attribute_exists(l[3])", None, None, False),
    ("attribute_not_exists(nope)", None, None, True),
    ("attribute_not_exists(#n)", None, {"#n": "n"}, False),
    ("attribute_type(ss, :t)", {":t": {"S": "SS"}}, None, True),
    ("attribute_type(m, :t)", {":t": {"S": "L"}}, None, False),
    ("begins_with(s, :p)", {":p": {"S": "hell"}}, None, True),
    ("begins_with(b, :p)", {":p": {"B": b"\x01"}}, None, True),
    ("begins_with(s, :p)", {":p": {"S": "world"}}, None, False),
    ("contains(s, :p)", {":p": {"S": "o w"}}, None, True),
    ("contains(ss, :p)", {":p": {"S": "b"}}, None, True),
    ("contains(ns, :p)", {":p": {"N": "2.0"}}, None, True),
    ("contains(bs, :p)", {":p": {"B": b"\x01"}}, None, True),
    ("contains(l, :p)", {":p": {"S": "x"}}, None, True),
    ("contains(ss, :p)", {":p": {"S": "c"}}, None, False),
    ("size(s) = :v", {":v": {"N": "11"}}, None, True),
    ("size(ss) = :v", {":v": {"N": "2"}}, None, True),
    ("size(l) > :v", {":v": {"N": "2"}}, None, True),
    ("size(m) = :v", {":v": {"N": "2"}}, None, True),
    ("size(b) = :v", {":v": {"N": "3"}}, None, True),
    ("size(n) = :v", {":v": {"N": "2"}}, None, False),
    ("NOT n = :v", {":v": {"N": "10"}}, None, False),
    ("n = :a OR n = :b AND s = :c", {":a": {"N": "10"}, ":b": {"N": "0"}, ":c": {"S": "x"}}, None, True),
    ("(n = :a OR n = :b) AND s = :c", {":a": {"N": "10"}, ":b": {"N": "0"}, ":c": {"S": "x"}}, None, False),
    ("NOT (n = :a AND s = :c)", {":a": {"N": "10"}, ":c": {"S": "x"}}, None, True),
    ("m.#nm = :v", {":v": {"S": "floe"}}, {"#nm": "name"}, True),
    ("l[1] = :v", {":v": {"N": "2"}}, None, True),
    ("t = :v AND z = :z", {":v": {"BOOL": True}, ":z": {"NULL": True}}, None, True),
    ("m = :m", {":m": {"M": {"name": {"S": "floe"}, "kid": {"M": {"v": {"N": "1"}}}}}}, None, True),
    ("ss = :s", {":s": {"SS": ["b", "a"]}}, None, True),
])
def test_condition_semantics(ddb, table, expr, values, names, expected):
    ddb.put_item(TableName=table, Item=DOC)
    assert cond_ok(ddb, table, expr, values, names) is expected


def test_conditional_put_delete_and_failure_item(server, ddb, table):
    key = {"pk": {"S": "lock"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
    code, msg = error_of(ddb.put_item, TableName=table, Item={**key, "v": {"N": "2"}},
                         ConditionExpression="attribute_not_exists(pk)")
    assert (code, msg) == ("ConditionalCheckFailedException", "The conditional request failed")
    # The item comes back inside the exception when asked for (sent raw: Debian's botocore
    # predates ReturnValuesOnConditionCheckFailure).
    status, _, body = raw(server, "PutItem", {"TableName": table, "Item": {**key, "v": {"N": "2"}},
                                              "ConditionExpression": "v = :x", V: {":x": {"N": "5"}},
                                              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert status == 400 and body["__type"].endswith("ConditionalCheckFailedException")
    assert body["Item"] == {"pk": {"S": "lock"}, "sk": {"S": "1"}, "v": {"N": "1"}}
    status, _, body = raw(server, "PutItem", {"TableName": table, "Item": {**key, "v": {"N": "2"}},
                                              "ConditionExpression": "v = :x", V: {":x": {"N": "5"}}})
    assert "Item" not in body
    # Optimistic locking on a version number.
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ConditionExpression="v = :old",
                 ExpressionAttributeValues={":old": {"N": "1"}})
    code, _ = error_of(ddb.delete_item, TableName=table, Key=key, ConditionExpression="v = :old",
                       ExpressionAttributeValues={":old": {"N": "1"}})
    assert code == "ConditionalCheckFailedException"
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "2"}
    ddb.delete_item(TableName=table, Key=key, ConditionExpression="v = :cur", ExpressionAttributeValues={":cur": {"N": "2"}})
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    # Conditions see a missing item as empty.
    code, _ = error_of(ddb.delete_item, TableName=table, Key=key, ConditionExpression="attribute_exists(pk)")
    assert code == "ConditionalCheckFailedException"


def upd(ddb, table, expr, values=None, names=None, rv="ALL_NEW", key=KEY, **kw):
    kwargs = {"UpdateExpression": expr, "ReturnValues": rv, **kw}
    if values:
        kwargs[V] = values
    if names:
        kwargs[N] = names
    return ddb.update_item(TableName=table, Key=key, **kwargs).get("Attributes")


def test_update_set_forms(ddb, table):
    ddb.put_item(TableName=table, Item=DOC)
    a = upd(ddb, table, "SET n = n + :one, s = :s, m.kid.v = m.kid.v - :one, #new = :s",
            {":one": {"N": "1"}, ":s": {"S": "x"}}, {"#new": "brand_new"})
    assert a["n"] == {"N": "11"} and a["s"] == {"S": "x"} and a["brand_new"] == {"S": "x"}
    assert a["m"]["M"]["kid"]["M"]["v"] == {"N": "0"}
    a = upd(ddb, table, "SET l = list_append(l, :more), l2 = list_append(:more, :more)", {":more": {"L": [{"S": "y"}]}})
    assert a["l"]["L"][-1] == {"S": "y"} and len(a["l"]["L"]) == 4 and len(a["l2"]["L"]) == 2
    a = upd(ddb, table, "SET c = if_not_exists(c, :zero) + :one, n = if_not_exists(n, :zero)",
            {":zero": {"N": "0"}, ":one": {"N": "1"}})
    assert a["c"] == {"N": "1"} and a["n"] == {"N": "11"}
    a = upd(ddb, table, "SET l[1] = :v, l[99] = :w", {":v": {"S": "replaced"}, ":w": {"S": "appended"}})
    assert a["l"]["L"][1] == {"S": "replaced"} and a["l"]["L"][-1] == {"S": "appended"}
    # Every value is computed from the item before the update.
    a = upd(ddb, table, "SET x1 = n, n = :v", {":v": {"N": "0"}})
    assert a["x1"] == {"N": "11"} and a["n"] == {"N": "0"}


def test_update_remove_add_delete(ddb, table):
    ddb.put_item(TableName=table, Item=DOC)
    a = upd(ddb, table, "REMOVE s, m.kid, l[0], l[2], nothing_here")
    assert "s" not in a and "kid" not in a["m"]["M"] and a["l"]["L"] == [{"N": "2"}]
    a = upd(ddb, table, "ADD n :five, ss :more, tally :five, newset :ns",
            {":five": {"N": "5"}, ":more": {"SS": ["b", "c"]}, ":ns": {"NS": ["7"]}})
    assert a["n"] == {"N": "15"} and set(a["ss"]["SS"]) == {"a", "b", "c"} and a["tally"] == {"N": "5"}
    assert a["newset"] == {"NS": ["7"]}
    a = upd(ddb, table, "DELETE ss :gone, ns :all", {":gone": {"SS": ["a", "zz"]}, ":all": {"NS": ["1", "2"]}})
    assert set(a["ss"]["SS"]) == {"b", "c"} and "ns" not in a  # an emptied set disappears
    a = upd(ddb, table, "SET a = :x REMOVE t ADD n :one DELETE bs :b",
            {":x": {"S": "a"}, ":one": {"N": "1"}, ":b": {"BS": [b"\x01"]}})
    assert a["a"] == {"S": "a"} and "t" not in a and a["n"] == {"N": "16"} and "bs" not in a


def test_update_creates_item_and_return_values(ddb, table):
    key = {"pk": {"S": "new"}, "sk": {"S": "1"}}
    assert upd(ddb, table, "SET a = :v", {":v": {"N": "1"}}, rv="ALL_OLD", key=key) is None
    assert ddb.get_item(TableName=table, Key=key)["Item"] == {**key, "a": {"N": "1"}}
    assert upd(ddb, table, "SET a = :v, b = :v", {":v": {"N": "2"}}, rv="UPDATED_OLD", key=key) == {"a": {"N": "1"}}
    assert upd(ddb, table, "SET a = :v", {":v": {"N": "3"}}, rv="UPDATED_NEW", key=key) == {"a": {"N": "3"}}
    assert upd(ddb, table, "SET a = :v", {":v": {"N": "4"}}, rv="ALL_OLD", key=key) == {**key, "a": {"N": "3"}, "b": {"N": "2"}}
    assert upd(ddb, table, "SET a = :v", {":v": {"N": "5"}}, rv="NONE", key=key) is None
    assert upd(ddb, table, "SET m = :m", {":m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}}, key=key, rv="UPDATED_NEW") == \
        {"m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}}
    assert upd(ddb, table, "SET m.x = :v", {":v": {"N": "9"}}, key=key, rv="UPDATED_NEW") == {"m": {"M": {"x": {"N": "9"}}}}
    # An update without UpdateExpression creates the bare item.
    key2 = {"pk": {"S": "bare"}, "sk": {"S": "1"}}
    ddb.update_item(TableName=table, Key=key2)
    assert ddb.get_item(TableName=table, Key=key2)["Item"] == key2


def test_update_conditions(server, ddb, table):
    ddb.put_item(TableName=table, Item={**KEY, "v": {"N": "1"}})
    upd(ddb, table, "SET v = v + :one", {":one": {"N": "1"}, ":cur": {"N": "1"}}, ConditionExpression="v = :cur")
    status, _, body = raw(server, "UpdateItem", {"TableName": table, "Key": KEY, "UpdateExpression": "SET v = v + :one",
                                                 V: {":one": {"N": "1"}, ":cur": {"N": "1"}}, "ConditionExpression": "v = :cur",
                                                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert body["__type"].endswith("ConditionalCheckFailedException") and body["Item"]["v"] == {"N": "2"}
    assert ddb.get_item(TableName=table, Key=KEY)["Item"]["v"] == {"N": "2"}


@pytest.mark.parametrize("expr,values,message", [
    ("SET a = nothere + :v", {":v": {"N": "1"}}, "The provided expression refers to an attribute that does not exist in the item"),
    ("SET s = s + :v", {":v": {"N": "1"}}, "An operand in the update expression has an incorrect data type"),
    ("SET x.y = :v", {":v": {"N": "1"}}, "The document path provided in the update expression is invalid for update"),
    ("SET s.y = :v", {":v": {"N": "1"}}, "The document path provided in the update expression is invalid for update"),
    ("ADD s :v", {":v": {"N": "1"}}, "An operand in the update expression has an incorrect data type"),
    ("ADD ss :v", {":v": {"NS": ["1"]}}, "An operand in the update expression has an incorrect data type"),
    ("DELETE n :v", {":v": {"NS": ["1"]}}, "An operand in the update expression has an incorrect data type"),
    ("SET l = list_append(s, :v)", {":v": {"L": []}}, "An operand in the update expression has an incorrect data type"),
    ("SET n = :v + :v", {":v": {"N": "9E+125"}},
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("SET n = n - :v", {":v": {"N": "9E-130"}},
     "Attempting to store more than 38 significant digits in a Number"),
    ("SET n = n + :v", {":v": {"N": "1E-37"}},
     "Attempting to store more than 38 significant digits in a Number"),
])
def test_update_runtime_errors(ddb, table, expr, values, message):
    ddb.put_item(TableName=table, Item=DOC)
    code, msg = error_of(ddb.update_item, TableName=table, Key=KEY, UpdateExpression=expr, ExpressionAttributeValues=values)
    assert (code, msg) == ("ValidationException", message)
    assert ddb.get_item(TableName=table, Key=KEY)["Item"] == DOC  # nothing was written


@pytest.mark.parametrize("kwargs,message", [
    ({"UpdateExpression": "SET a = :v SET b = :v", V: {":v": {"N": "1"}}},
     'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    ({"UpdateExpression": "SET a = :v, a.b = :v", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
    ({"UpdateExpression": "SET a.b = :v REMOVE a[0]", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"),
    ({"UpdateExpression": "SET #a = :v REMOVE b", V: {":v": {"N": "1"}}, N: {"#a": "b"}},
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b], path two: [b]"),
    ({"UpdateExpression": "SET name = :v", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"),
    ({"UpdateExpression": "SET a = :v", V: {":v": {"N": "1"}, ":unused": {"N": "2"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
    ({"UpdateExpression": "SET a = :v", V: {":v": {"N": "1"}}, N: {"#x": "y"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"),
    ({"UpdateExpression": "SET a = :missing", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing"),
    ({"UpdateExpression": "SET #missing = :v", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #missing"),
    ({"UpdateExpression": "SET a = "}, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
    ({"UpdateExpression": "SET a = :v,", V: {":v": {"N": "1"}}}, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","'),
    ({"UpdateExpression": "ADD a :v", V: {":v": {"S": "x"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
    ({"UpdateExpression": "DELETE a :v", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"),
    ({"UpdateExpression": "SET a = a + :v", V: {":v": {"S": "1"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
    ({"UpdateExpression": "SET a = list_append(a, :v)", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"),
    ({"UpdateExpression": "SET a = foo(a)"}, "Invalid UpdateExpression: Invalid function name; function: foo"),
    ({"UpdateExpression": "SET a = if_not_exists(:v, :v)", V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
    ({"UpdateExpression": "SET pk = :v", V: {":v": {"S": "1"}}},
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"),
    ({"UpdateExpression": ""}, "Invalid UpdateExpression: The expression can not be empty;"),
    ({"UpdateExpression": "SET a = :v", V: {}}, "ExpressionAttributeValues must not be empty"),
    ({"UpdateExpression": "SET a = :v", V: {"v": {"N": "1"}}},
     'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
    ({"UpdateExpression": "SET a = :v", V: {":v": {"N": "x"}}},
     "ExpressionAttributeValues contains invalid value: A value provided cannot be converted into a number for key :v"),
    ({"UpdateExpression": "SET a = :v", N: {"a": "b"}, V: {":v": {"N": "1"}}},
     'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
    ({"UpdateExpression": "SET a = :v", V: {":v": {"N": "1"}}, "AttributeUpdates": {"b": {"Action": "DELETE"}}},
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributeUpdates} Expression parameters: {UpdateExpression}"),
    ({V: {":v": {"N": "1"}}},
     "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"),
    ({N: {"#a": "a"}}, "ExpressionAttributeNames can only be specified when using expressions"),
    ({"UpdateExpression": "SET " + ", ".join(f"a{i} = :v" for i in range(301)), V: {":v": {"N": "1"}}},
     "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"),
])
def test_update_validation_errors(server, table, kwargs, message):
    body = {"TableName": table, "Key": KEY, **kwargs}
    code, msg = raw_error(server, "UpdateItem", body)
    assert (code, msg) == ("ValidationException", message)


@pytest.mark.parametrize("expr,values,message", [
    ("a = ", None, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "= "'),
    ("a == :v", {":v": {"N": "1"}}, 'Invalid ConditionExpression: Syntax error; token: "=", near: "=="'),
    ("a = :v AND", {":v": {"N": "1"}}, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    ("foo(a)", None, "Invalid ConditionExpression: Invalid function name; function: foo"),
    ("begins_with(a)", None,
     "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"),
    ("attribute_exists(:v)", {":v": {"N": "1"}},
     "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"),
    ("size(a)", None, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
    ("begins_with(a, :v) = :v", {":v": {"S": "1"}},
     "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with"),
    ("begins_with(a, :v)", {":v": {"N": "1"}},
     "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ("attribute_type(a, :v)", {":v": {"S": "X"}},
     "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
    ("a BETWEEN :hi AND :lo", {":hi": {"N": "5"}, ":lo": {"N": "1"}},
     "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
     "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
    ("a BETWEEN :n AND :s", {":n": {"N": "5"}, ":s": {"S": "x"}},
     "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; "
     "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:x}"),
    ("a = a", None, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this "
                    "operator or function; operator: =, first operand: [a]"),
    ("((a = :v))", {":v": {"N": "1"}}, "Invalid ConditionExpression: The expression has redundant parentheses;"),
    ("status = :v", {":v": {"N": "1"}}, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("a IN (" + ", ".join(":v" for _ in range(101)) + ")", {":v": {"N": "1"}},
     "Invalid ConditionExpression: Too many operands for the IN operator; operand count: 101, maximum: 100"),
    ("a = :v AND b = :v" + " AND c = :v" * 400, {":v": {"N": "1"}},
     "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: " +
     str(len("a = :v AND b = :v" + " AND c = :v" * 400))),
    (".".join(["a"] * 33) + " = :v", {":v": {"N": "1"}},
     "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"),
])
def test_condition_validation_errors(server, table, expr, values, message):
    body = {"TableName": table, "Item": KEY, "ConditionExpression": expr}
    if values:
        body[V] = values
    code, msg = raw_error(server, "PutItem", body)
    assert (code, msg) == ("ValidationException", message)


def test_in_operator_accepts_100_operands(ddb, table):
    ddb.put_item(TableName=table, Item=DOC)
    values = {f":v{i}": {"N": str(i)} for i in range(100)}
    assert cond_ok(ddb, table, "n IN (" + ", ".join(values) + ")", values)


def test_projection_expression(ddb, table):
    ddb.put_item(TableName=table, Item=DOC)
    item = ddb.get_item(TableName=table, Key=KEY, ProjectionExpression="s, m.kid.v, l[2].deep, l[0], #z, nope",
                        ExpressionAttributeNames={"#z": "z"})["Item"]
    assert item == {"s": {"S": "hello world"}, "m": {"M": {"kid": {"M": {"v": {"N": "1"}}}}},
                    "l": {"L": [{"S": "x"}, {"M": {"deep": {"S": "d"}}}]}, "z": {"NULL": True}}
    code, msg = error_of(ddb.get_item, TableName=table, Key=KEY, ProjectionExpression="a, a.b")
    assert msg == ("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite "
                   "one of these paths; path one: [a], path two: [a, b]")
    code, msg = error_of(ddb.get_item, TableName=table, Key=KEY, ProjectionExpression="a", AttributesToGet=["a"])
    assert msg == ("Can not use both expression and non-expression parameters in the same request: Non-expression "
                   "parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [KEY], "ProjectionExpression": "#s", N: {"#s": "s"}}})
    assert got["Responses"][table] == [{"s": {"S": "hello world"}}]


@pytest.fixture
def ranged(ddb, table_name):
    make_table(ddb, table_name, "S", "N")
    ddb.batch_write_item(RequestItems={table_name: [
        {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}, "odd": {"BOOL": i % 2 == 1},
                                 "name": {"S": f"n{i}"}}}} for i in range(10)]})
    yield table_name
    ddb.delete_table(TableName=table_name)


def sks(r):
    return [int(i["sk"]["N"]) for i in r["Items"]]


def test_key_condition_expression(ddb, ranged):
    q = lambda expr, values, **kw: ddb.query(TableName=ranged, KeyConditionExpression=expr, ExpressionAttributeValues=values, **kw)
    p = {":p": {"S": "p"}}
    assert sks(q("pk = :p", p)) == list(range(10))
    assert sks(q("pk = :p AND sk = :v", {**p, ":v": {"N": "3"}})) == [3]
    assert sks(q("pk = :p AND sk < :v", {**p, ":v": {"N": "3"}})) == [0, 1, 2]
    assert sks(q("pk = :p AND sk <= :v", {**p, ":v": {"N": "3"}})) == [0, 1, 2, 3]
    assert sks(q("pk = :p AND sk > :v", {**p, ":v": {"N": "7"}})) == [8, 9]
    assert sks(q("pk = :p AND sk >= :v", {**p, ":v": {"N": "7"}})) == [7, 8, 9]
    assert sks(q("pk = :p AND sk BETWEEN :a AND :b", {**p, ":a": {"N": "2"}, ":b": {"N": "4"}})) == [2, 3, 4]
    assert sks(q(":v > sk AND :p = pk", {**p, ":v": {"N": "2"}})) == [0, 1]
    assert sks(q("#k = :p", p, ExpressionAttributeNames={"#k": "pk"}, ScanIndexForward=False))[:2] == [9, 8]


def test_begins_with_key_condition(ddb, table):
    for sk in ("apple", "apricot", "banana"):
        ddb.put_item(TableName=table, Item={"pk": {"S": "fruit"}, "sk": {"S": sk}})
    r = ddb.query(TableName=table, KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                  ExpressionAttributeValues={":p": {"S": "fruit"}, ":b": {"S": "ap"}})
    assert [i["sk"]["S"] for i in r["Items"]] == ["apple", "apricot"]


def test_key_condition_missing_partition_key(server, ranged):
    code, msg = raw_error(server, "Query", {"TableName": ranged, "KeyConditionExpression": "sk = :v", V: {":v": {"N": "1"}}})
    assert msg == "Query condition missed key schema element: pk"


@pytest.mark.parametrize("expr,values,message", [
    ("pk = :p OR sk = :v", {":v": {"N": "1"}}, "Invalid operator used in KeyConditionExpression: OR"),
    ("pk = :p AND sk <> :v", {":v": {"N": "1"}}, "Invalid operator used in KeyConditionExpression: <>"),
    ("pk = :p AND attribute_exists(sk)", {}, "Invalid operator used in KeyConditionExpression: attribute_exists"),
    ("pk = :p AND sk IN (:v)", {":v": {"N": "1"}}, "Invalid operator used in KeyConditionExpression: IN"),
    ("sk = :v AND sk = :p", {":v": {"N": "1"}, ":p": {"N": "2"}}, "KeyConditionExpressions must only contain one condition per key"),
    ("sk = :v AND :p = :p", {":v": {"N": "1"}}, "Invalid condition in KeyConditionExpression: No key attribute specified"),
    ("pk > :p", {}, "Query key condition not supported"),
    ("pk = :p AND pk = :p", {}, "KeyConditionExpressions must only contain one condition per key"),
    ("pk = :p AND sk.x = :v", {":v": {"N": "1"}}, "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("pk = :p AND sk = :s", {":s": {"S": "1"}},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :p AND begins_with(sk, :s)", {":s": {"N": "1"}},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ("pk = :p AND sk BETWEEN :b AND :a", {":a": {"N": "1"}, ":b": {"N": "2"}},
     "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower "
     "bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"),
])
def test_key_condition_errors(server, ranged, expr, values, message):
    body = {"TableName": ranged, "KeyConditionExpression": expr, V: {":p": {"S": "p"}, **values}}
    code, msg = raw_error(server, "Query", body)
    assert (code, msg) == ("ValidationException", message)


def test_filter_expression_counts(ddb, ranged):
    r = ddb.query(TableName=ranged, KeyConditionExpression="pk = :p", FilterExpression="odd = :t",
                  ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}})
    assert sks(r) == [1, 3, 5, 7, 9] and r["Count"] == 5 and r["ScannedCount"] == 10
    # Limit counts items read, before the filter.
    r = ddb.query(TableName=ranged, KeyConditionExpression="pk = :p", FilterExpression="odd = :t", Limit=4,
                  ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}})
    assert sks(r) == [1, 3] and r["ScannedCount"] == 4 and r["LastEvaluatedKey"]["sk"] == {"N": "3"}
    r = ddb.scan(TableName=ranged, FilterExpression="begins_with(#n, :x) AND sk > :five",
                 ExpressionAttributeNames={"#n": "name"}, ExpressionAttributeValues={":x": {"S": "n"}, ":five": {"N": "5"}},
                 ProjectionExpression="sk")
    assert sorted(sks(r)) == [6, 7, 8, 9] and r["ScannedCount"] == 10 and all(set(i) == {"sk"} for i in r["Items"])
    code, msg = error_of(ddb.query, TableName=ranged, KeyConditionExpression="pk = :p", FilterExpression="sk > :v",
                         ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"N": "1"}})
    assert msg == "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    r = ddb.query(TableName=ranged, KeyConditionExpression="pk = :p", Select="COUNT", FilterExpression="odd = :f",
                  ExpressionAttributeValues={":p": {"S": "p"}, ":f": {"BOOL": False}})
    assert r["Count"] == 5 and "Items" not in r


# ---- legacy parameters ----

def test_expected(ddb, table):
    key = {"pk": {"S": "legacy"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    code, _ = error_of(ddb.put_item, TableName=table, Item=key, Expected={"pk": {"Exists": False}})
    assert code == "ConditionalCheckFailedException"
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, Expected={"v": {"Value": {"N": "1"}}})
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "3"}}, Expected={"v": {"Exists": True, "Value": {"N": "2"}}})
    cases = [
        ({"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "3"}]}}, None, True),
        ({"v": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "3"}]}}, None, False),
        ({"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}}, None, True),
        ({"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "3"}]}}, None, True),
        ({"v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "7"}, {"N": "3"}]}}, None, True),
        ({"v": {"ComparisonOperator": "NULL"}}, None, False),
        ({"v": {"ComparisonOperator": "NOT_NULL"}}, None, True),
        ({"pk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "leg"}]}}, None, True),
        ({"pk": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "gac"}]}}, None, True),
        ({"pk": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "gac"}]}}, None, False),
        ({"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]},
          "pk": {"ComparisonOperator": "NOT_NULL"}}, "OR", True),
        ({"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]},
          "pk": {"ComparisonOperator": "NOT_NULL"}}, "AND", False),
    ]
    for expected, op, ok in cases:
        kwargs = {"Expected": expected}
        if op:
            kwargs["ConditionalOperator"] = op
        try:
            ddb.put_item(TableName=table, Item={**key, "v": {"N": "3"}}, **kwargs)
            assert ok, expected
        except ddb.exceptions.ConditionalCheckFailedException:
            assert not ok, expected


@pytest.mark.parametrize("expected,message", [
    ({"v": {"Exists": True}}, "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: v"),
    ({"v": {}}, "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: v"),
    ({"v": {"Exists": False, "Value": {"N": "1"}}},
     "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: v"),
    ({"v": {"Exists": True, "ComparisonOperator": "NULL"}},
     "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: v"),
    ({"v": {"ComparisonOperator": "EQ"}},
     "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
    ({"v": {"AttributeValueList": [{"N": "1"}]}},
     "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: v"),
    ({"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["a"]}]}},
     "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS AttributeValue type"),
    ({"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "1"}]}},
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
])
def test_expected_errors(server, table, expected, message):
    code, msg = raw_error(server, "PutItem", {"TableName": table, "Item": KEY, "Expected": expected})
    assert (code, msg) == ("ValidationException", message)


def test_mixing_legacy_and_expressions(server, table):
    code, msg = raw_error(server, "PutItem", {"TableName": table, "Item": KEY, "Expected": {"v": {"Exists": False}},
                                              "ConditionExpression": "attribute_exists(v)"})
    assert msg == ("Can not use both expression and non-expression parameters in the same request: Non-expression "
                   "parameters: {Expected} Expression parameters: {ConditionExpression}")
    code, msg = raw_error(server, "Query", {"TableName": table, "KeyConditionExpression": "pk = :p",
                                            "QueryFilter": {"x": {"ComparisonOperator": "NULL"}}, V: {":p": {"S": "k"}}})
    assert msg.startswith("Can not use both expression and non-expression parameters") and "{QueryFilter}" in msg


def test_attribute_updates(ddb, table):
    ddb.put_item(TableName=table, Item={**KEY, "n": {"N": "1"}, "ss": {"SS": ["a", "b"]}, "gone": {"S": "x"},
                                        "l": {"L": [{"S": "a"}]}})
    r = ddb.update_item(TableName=table, Key=KEY, ReturnValues="ALL_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": {"N": "5"}},
        "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "gone": {"Action": "DELETE"},
        "put": {"Action": "PUT", "Value": {"S": "p"}},
        "default_put": {"Value": {"BOOL": True}},
        "l": {"Action": "ADD", "Value": {"L": [{"S": "b"}]}},
        "newlist": {"Action": "ADD", "Value": {"L": [{"S": "c"}]}},
    })["Attributes"]
    assert r["n"] == {"N": "6"} and r["ss"] == {"SS": ["b"]} and "gone" not in r and r["put"] == {"S": "p"}
    assert r["default_put"] == {"BOOL": True} and r["l"] == {"L": [{"S": "a"}, {"S": "b"}]}
    assert r["newlist"] == {"L": [{"S": "c"}]}
    code, msg = error_of(ddb.update_item, TableName=table, Key=KEY, AttributeUpdates={"x": {"Action": "ADD"}})
    assert msg == "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"
    code, msg = error_of(ddb.update_item, TableName=table, Key=KEY, AttributeUpdates={"x": {"Action": "ADD", "Value": {"S": "s"}}})
    assert msg == "One or more parameter values were invalid: ADD action is not supported for the type S"
    code, msg = error_of(ddb.update_item, TableName=table, Key=KEY,
                         AttributeUpdates={"x": {"Action": "DELETE", "Value": {"S": "s"}}})
    assert msg == "One or more parameter values were invalid: DELETE action with value is not supported for the type S"
    code, msg = error_of(ddb.update_item, TableName=table, Key=KEY, AttributeUpdates={"sk": {"Value": {"S": "2"}}})
    assert msg == "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"


def test_query_filter_and_scan_filter(ddb, ranged):
    r = ddb.query(TableName=ranged, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                  QueryFilter={"odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}})
    assert sks(r) == [1, 3, 5, 7, 9] and r["ScannedCount"] == 10
    r = ddb.scan(TableName=ranged, ScanFilter={"sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "8"}]},
                                               "odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}},
                 ConditionalOperator="OR")
    assert sorted(sks(r)) == [1, 3, 5, 7, 8, 9]
    r = ddb.scan(TableName=ranged, ScanFilter={"sk": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "2"}, {"N": "4"}]}},
                 AttributesToGet=["sk"])
    assert sorted(sks(r)) == [2, 4]
    code, msg = error_of(ddb.query, TableName=ranged,
                         KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                         QueryFilter={"sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}})
    assert msg == "One or more parameter values were invalid: QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"
