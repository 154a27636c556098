#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/ from the exchanges the tests use (tests/data/conformance: requests,
responses and errors of every tool, each with its schema). The webhook corpus is signed by the
fuzz_webhook_seeds tool instead (see docs/fuzzing.md). Usage: fuzz/make_corpus.py"""
import json
import pathlib
import re
import shutil

root = pathlib.Path(__file__).resolve().parent
cases_dir = root.parent / "tests" / "data" / "conformance"
corpus = root / "corpus"

cases = []
for path in sorted(cases_dir.glob("*.json")):
    case = json.loads(path.read_text())
    cases.append((path.stem, case["schema"], case["valid"], case["payload"]))


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def write(harness, name, text):
    folder = corpus / harness
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode() if isinstance(text, str) else text)


for harness in ("fuzz_schema_validation", "fuzz_dispatcher", "fuzz_mcp_answer", "fuzz_a2a_answer",
                "fuzz_sse_parser", "fuzz_rfc3339"):
    shutil.rmtree(corpus / harness, ignore_errors=True)

# Schema validation: every case, valid and invalid, against its own schema.
for stem, schema, _, payload in cases:
    write("fuzz_schema_validation", stem, schema + "\n" + compact(payload))

# Dispatcher: every request case as a call of the tool its schema belongs to.
for stem, schema, _, payload in cases:
    match = re.fullmatch(r"/schemas/[a-z-]+/([a-z-]+)-request\.json", schema)
    if match:
        tool = match.group(1).replace("-", "_")
        sandbox = " sandbox" if tool == "comply_test_controller" else ""
        write("fuzz_dispatcher", stem, tool + sandbox + "\n" + compact(payload))

# MCP and A2A answers: every response case as a tools/call result and as an A2A task (0.3 and 1.0 shapes);
# error cases as JSON-RPC errors, MCP isError results and failed A2A tasks.
for stem, schema, _, payload in cases:
    if schema.endswith("-response.json"):
        mcp = {"jsonrpc": "2.0", "id": 2, "result": {"content": [{"type": "text", "text": compact(payload)}],
                                                      "structuredContent": payload}}
        write("fuzz_mcp_answer", stem, compact(mcp))
        task = {"id": "t1", "contextId": "c1", "kind": "task", "status": {"state": "completed"},
                "artifacts": [{"artifactId": "a1", "parts": [{"kind": "data", "data": payload}]}]}
        write("fuzz_a2a_answer", stem + "-v03", compact({"jsonrpc": "2.0", "id": 3, "result": task}))
        task_v1 = {"id": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_COMPLETED"},
                   "artifacts": [{"artifactId": "a1", "parts": [{"data": payload}]}]}
        write("fuzz_a2a_answer", stem + "-v10", compact({"jsonrpc": "2.0", "id": 3, "result": {"task": task_v1}}))
    elif schema == "/schemas/core/error.json":
        rpc_error = {"jsonrpc": "2.0", "id": 2, "error": {"code": -32602, "message": "invalid",
                                                          "data": {"adcp_error": payload}}}
        write("fuzz_mcp_answer", stem + "-rpc", compact(rpc_error))
        is_error = {"jsonrpc": "2.0", "id": 2, "result": {
            "isError": True, "content": [{"type": "text", "text": compact({"adcp_error": payload})}],
            "structuredContent": {"adcp_error": payload}}}
        write("fuzz_mcp_answer", stem + "-iserror", compact(is_error))
        failed = {"id": "t2", "kind": "task", "status": {"state": "failed"},
                  "artifacts": [{"parts": [{"kind": "data", "data": {"adcp_error": payload}}]}]}
        write("fuzz_a2a_answer", stem + "-failed", compact({"jsonrpc": "2.0", "id": 3, "result": failed}))
write("fuzz_mcp_answer", "text-error", compact({"jsonrpc": "2.0", "id": 2, "result": {
    "isError": True, "content": [{"type": "text", "text": "the agent is overloaded"}]}}))
write("fuzz_mcp_answer", "rate-limited", compact({"jsonrpc": "2.0", "id": 2,
                                                   "error": {"code": -32029, "message": "slow down"}}))
write("fuzz_a2a_answer", "message", compact({"jsonrpc": "2.0", "id": 3, "result": {
    "kind": "message", "messageId": "m1", "role": "agent", "parts": [{"kind": "data", "data": {"products": []}}]}}))
write("fuzz_a2a_answer", "working", compact({"jsonrpc": "2.0", "id": 3, "result": {
    "id": "t3", "kind": "task", "status": {"state": "working"}}}))

# SSE: MCP answers as event streams; the first byte picks the chunk size of the harness.
answers = sorted((corpus / "fuzz_mcp_answer").iterdir())[:12]
line_ends = ["\n", "\r\n", "\r"]
for index, path in enumerate(answers):
    end = line_ends[index % 3]
    body = path.read_text()
    stream = f": keep-alive{end}id: {index}{end}event: message{end}data: {body}{end}{end}"
    write("fuzz_sse_parser", path.name, chr(index % 16) + stream)
write("fuzz_sse_parser", "multi-line-data", "\x03data: {\"a\":\ndata: 1}\nretry: 5\n\ndata:x\n\n")
write("fuzz_sse_parser", "no-final-blank-line", "\x07event: progress\ndata: 50%\n\ndata: last\r")

# RFC 3339: every date and date-time the exchanges carry, plus the grammar's edges.
texts = set()
for _, _, _, payload in cases:
    texts.update(re.findall(r'"(\d{4}-\d{2}-\d{2}(?:[Tt][^"]*)?)"', compact(payload)))
texts.update(["2026-03-01T12:00:00Z", "2026-03-01t12:00:00.250+05:30", "2016-12-31T23:59:60Z", "2024-02-29",
              "2026-02-30", "2026-13-01T00:00:00Z", "2026-03-01 12:00:00Z", "2026-03-01T12:00:00"])
for index, text in enumerate(sorted(texts)):
    write("fuzz_rfc3339", f"text-{index:03}", text)
