"""Skills: the list admins keep (IT support, VNeID help, digital signature, …) and who has which."""
