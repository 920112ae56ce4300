"""Right and wrong answers to any quiz question, as answer values and as posted forms."""

from courses.simulators import tappable_ids


def right_answer(question):
    data, kind = question.data, question.type
    if kind == "walkthrough":
        return [step["answer"] for step in data["steps"]]
    if kind == "multiple":
        return sorted(data["answer"])
    if kind == "ordering":
        return list(data["answer"])
    return data["answer"]


def wrong_answer(question):
    data, kind = question.data, question.type
    right = right_answer(question)
    if kind == "single":
        return next(c["id"] for c in data["choices"] if c["id"] != right)
    if kind == "multiple":
        others = [c["id"] for c in data["choices"] if c["id"] not in right]
        return sorted(right + others[:1]) if others else right[:-1]
    if kind == "true_false":
        return not right
    if kind == "scam_drill":
        return "safe" if right == "scam" else "scam"
    if kind == "ordering":
        return list(reversed(right))
    if kind == "walkthrough":
        first = data["steps"][0]
        wrong = next(i for i in tappable_ids(first) if i != first["answer"])
        return [wrong] + right[1:]
    raise AssertionError(kind)


def as_form(question, answer) -> dict:
    """The fields the question page posts for this answer."""
    kind = question.type
    if kind == "true_false":
        return {"choice": "true" if answer else "false"}
    if kind == "ordering":
        return {f"position-{n}": item for n, item in enumerate(answer, 1)}
    if kind == "walkthrough":
        return {"taps": answer[:-1], "tap": answer[-1]}
    return {"choice": answer}
