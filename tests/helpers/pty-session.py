#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal and answers its prompts, like a person at a keyboard.

Usage: pty-session.py SCRIPT.json -- COMMAND [ARGS...]
SCRIPT.json is a list of [regex, text] steps: wait until the screen output matches regex (since the
previous match), then type text. Prints one JSON object: {"exitCode": n, "output": "..."}.
"""
import json
import os
import pty
import re
import select
import signal
import sys
import time

def main() -> None:
    sep = sys.argv.index("--")
    steps = json.load(open(sys.argv[1]))
    command = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.environ.pop("CI", None)
        os.execvp(command[0], command)
    output = b""
    cursor = 0
    deadline = time.time() + 60
    step = 0
    status = None
    while True:
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            output += chunk
        if step < len(steps):
            pattern, text = steps[step]
            text_so_far = output.decode("utf-8", "replace")
            match = re.search(pattern, text_so_far[cursor:])
            if match:
                cursor += match.end()
                time.sleep(0.05)
                os.write(fd, text.encode("utf-8"))
                step += 1
        done, waited = os.waitpid(pid, os.WNOHANG)
        if done:
            status = waited
            try:
                while True:
                    ready, _, _ = select.select([fd], [], [], 0.1)
                    if not ready:
                        break
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        break
                    output += chunk
            except OSError:
                pass
            break
    if status is None:
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"exitCode": code, "stepsDone": step, "output": output.decode("utf-8", "replace")}))

main()
