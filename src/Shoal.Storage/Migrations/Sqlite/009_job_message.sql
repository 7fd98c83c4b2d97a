-- Version 9: the text an agent sent with EMAIL (FOSSology's job message): it goes into the completion email.
ALTER TABLE jobs ADD COLUMN message TEXT;
