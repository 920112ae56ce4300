"""Learning: lesson progress, quiz attempts and answers, certificates (issue 4)."""
