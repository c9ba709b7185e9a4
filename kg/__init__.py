"""kg: knowledge graphs from earnings-call transcripts."""
