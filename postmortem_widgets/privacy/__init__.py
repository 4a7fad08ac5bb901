"""Internal details a customer must not read: where they are, whose names they are, how to take them out."""
