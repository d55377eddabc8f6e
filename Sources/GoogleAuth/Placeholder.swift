// GoogleAuth
