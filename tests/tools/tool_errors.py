"""What the tools' tests expect of a failure: exactly one line on stderr, starting with the tool's
name (taken from the command that ran), holding every given piece, and the exit status."""
import os


def one_error_line(r, *needles, code=1):
    """r: a finished subprocess.run of a tool. Returns the line."""
    tool = os.path.basename(str(r.args[0]))
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith(tool + ": "), r.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]
