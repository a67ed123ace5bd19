"""The child pytest that trtcache's commands and the mutation engine share, and how an
interrupt reaches it (below both of their users, so neither imports the other back)."""
