# The certificate models come with the certificates issue.
