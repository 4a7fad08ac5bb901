"""From facts to words: the facts a postmortem states, the prompt for a model, and the drafters."""
