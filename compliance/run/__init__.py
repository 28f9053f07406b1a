"""Evaluation behind one seam: `backend.Backend.prepare(analysis, as_of)` gives a `Program`
whose `run(views, trace)` gives findings. Three backends implement it — the tracing
interpreter (`interpreter.py`), closures (`closures.py`) and a columnar batch backend
(`batch.py`) — and share one subject enumeration (`subjects.py`) and one judge (`judge.py`)."""
