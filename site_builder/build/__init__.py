"""The build stage: the orchestrator (load -> check -> citations -> model -> render -> write -> site generator), the
write stage, the site generator run and ``serve``."""
