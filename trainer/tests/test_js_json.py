"""JSON text as JSON.stringify writes it (artifact/js_json.py): numbers, escapes, indentation, key order."""

import math

from localrec_trainer.artifact.js_json import integer_keys_first, js_number, stringify


def test_numbers_are_written_as_javascript_writes_them():
    cases = {0.0: "0", -0.0: "0", 1.0: "1", 1e-7: "1e-7", 1e-6: "0.000001", 1.5e-7: "1.5e-7", 1e21: "1e+21",
             1e20: "100000000000000000000", 1e16: "10000000000000000", 0.1 + 0.2: "0.30000000000000004",
             -2.5e-10: "-2.5e-10", 100.0: "100", 5e-324: "5e-324", 12345678901234567890.0: "12345678901234567000",
             math.nan: "null", math.inf: "null", 3: "3", 0.800000011920929: "0.800000011920929"}
    for value, text in cases.items():
        assert js_number(value) == text, value


def test_strings_objects_and_indentation():
    value = {"a": [1, 2, {"b": []}], "c": {}, "s": 'x"\n\u0001é\u2028', "t": True, "n": None}
    assert stringify(value, 1) == '{\n "a": [\n  1,\n  2,\n  {\n   "b": []\n  }\n ],\n "c": {},\n "s": "x\\"\\n\\u0001é\u2028",\n "t": true,\n "n": null\n}'
    assert stringify({"items": [{"id": "a", "tags": []}]}) == '{"items":[{"id":"a","tags":[]}]}'


def test_integer_like_keys_come_first_ascending_as_in_a_javascript_object():
    assert list(integer_keys_first({"b": 1, "10": 2, "2": 3, "01": 4})) == ["2", "10", "b", "01"]
