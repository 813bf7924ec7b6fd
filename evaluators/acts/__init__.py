"""Building blocks of the rule-based dialogue-act classifier (CONTRACT.md §1).

The public entry point is `evaluators.classify.classify`; these modules are its parts:
`lexicon` loads the YAML pattern files, `text` normalises and splits a message, `questions` decides the act
of one question, `commitment` finds an ask for an action commitment and its four elements, `pitch` tells a
product pitch from other statements.
"""
