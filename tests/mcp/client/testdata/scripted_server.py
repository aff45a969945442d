#!/usr/bin/env python3
# A scripted MCP stdio server for mcp-inspect's tests: one behaviour per mode
# (argv[1]), each a small departure from a well-behaved server.
#
# Modes: legacy, modern, modern-no-result-type, rpc-error, die, noisy, hang,
# bad-structured, empty-contents, bad-block, slow-exit.
import json
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "legacy"
MODERN = MODE.startswith("modern")
SERVER_INFO = {"name": "scripted", "version": "1.0.0"}

ECHO = {
    "name": "echo",
    "description": "Echoes its text argument.",
    "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    "outputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    "annotations": {"readOnlyHint": True},
}
FAIL = {"name": "fail", "description": "Always fails.", "inputSchema": {"type": "object"}}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def finish(result, cacheable=False):
    """Adds the modern-era fields to a result."""
    if MODERN:
        if MODE != "modern-no-result-type":
            result["resultType"] = "complete"
        result.setdefault("_meta", {})["io.modelcontextprotocol/serverInfo"] = SERVER_INFO
        if cacheable:
            result["ttlMs"] = 0
            result["cacheScope"] = "private"
    return result


def call_tool(params, progress_token):
    name = params.get("name")
    args = params.get("arguments", {})
    if MODE == "die":
        sys.exit(3)
    if MODE == "hang":
        time.sleep(60)
    if MODE == "rpc-error" or name not in ("echo", "fail"):
        return None, {"code": -32602, "message": "Unknown tool: %s" % name}
    if progress_token is not None:
        send({"jsonrpc": "2.0", "method": "notifications/progress",
              "params": {"progressToken": progress_token, "progress": 1, "total": 2, "message": "halfway"}})
    if name == "fail":
        return {"content": [{"type": "text", "text": "it failed; try again"}], "isError": True}, None
    text = args.get("text", "")
    block = {"type": "text", "text": text}
    if MODE == "bad-block":
        block = {"type": "image", "mimeType": "image/png"}
    structured = {"text": text}
    if MODE == "bad-structured":
        structured = {"text": 42}
    return {"content": [block], "structuredContent": structured}, None


def handle(method, params):
    """Returns (result, error) for a request."""
    if method == "server/discover":
        if not MODERN:
            return None, {"code": -32601, "message": "Method not found"}
        return finish({"supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}, "resources": {}}},
                      cacheable=True), None
    if method == "initialize":
        if MODERN:
            return None, {"code": -32022, "message": "Unsupported protocol version",
                          "data": {"supported": ["2026-07-28"], "requested": params.get("protocolVersion")}}
        return {"protocolVersion": "2025-11-25", "serverInfo": SERVER_INFO,
                "capabilities": {"tools": {"listChanged": False}, "resources": {}, "prompts": {},
                                 "logging": {}}}, None
    if method == "ping":
        return {}, None
    if method == "logging/setLevel":
        return {}, None
    if method == "tools/list":
        if params.get("cursor") == "page2":
            return finish({"tools": [FAIL]}, cacheable=True), None
        return finish({"tools": [ECHO], "nextCursor": "page2"}, cacheable=True), None
    if method == "tools/call":
        token = params.get("_meta", {}).get("progressToken")
        result, error = call_tool(params, token)
        return (finish(result) if result is not None else None), error
    if method == "resources/list":
        return finish({"resources": [{"uri": "mem://a", "name": "a", "mimeType": "text/plain"}]},
                      cacheable=True), None
    if method == "resources/read":
        contents = [] if MODE == "empty-contents" else [{"uri": params.get("uri"), "text": "hello"}]
        return finish({"contents": contents}, cacheable=True), None
    if method == "resources/templates/list":
        return finish({"resourceTemplates": [{"uriTemplate": "mem://{name}", "name": "mem"}]},
                      cacheable=True), None
    if method == "prompts/list":
        return finish({"prompts": [{"name": "greet", "arguments": [{"name": "who", "required": True}]}]},
                      cacheable=True), None
    if method == "prompts/get":
        who = params.get("arguments", {}).get("who", "world")
        return finish({"messages": [{"role": "user", "content": {"type": "text", "text": "Hello " + who}}]}), None
    return None, {"code": -32601, "message": "Method not found"}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        if "method" not in message or "id" not in message:
            continue  # notifications and replies need no answer
        if MODE == "noisy":
            sys.stdout.write("starting up...\n")
        result, error = handle(message["method"], message.get("params", {}))
        reply = {"jsonrpc": "2.0", "id": message["id"]}
        if error is not None:
            reply["error"] = error
        else:
            reply["result"] = result
        send(reply)
    if MODE == "slow-exit":
        time.sleep(30)


if __name__ == "__main__":
    main()
