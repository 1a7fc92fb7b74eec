"""Extension instances, created once and bound to the app in create_app()."""

from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from webapp.models.base import Base
from webapp.net import client_address

# Statements that fail are logged without their parameters: those can hold password hashes and tokens.
db = SQLAlchemy(model_class=Base, engine_options={"hide_parameters": True})
login_manager = LoginManager()
csrf = CSRFProtect()
cache = Cache()
limiter = Limiter(key_func=client_address)
