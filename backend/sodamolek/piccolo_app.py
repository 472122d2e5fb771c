"""The one Piccolo app: every table of every domain folder, and the migrations."""

import os

from piccolo.conf.apps import AppConfig

from sodamolek.accounts.tables import Account, ApiToken, LoginAttempt, LoginThrottle, WebSession
from sodamolek.attachments.tables import Attachment
from sodamolek.core.tables import RateLimitWindow
from sodamolek.db.stamps import CacheStamp
from sodamolek.issuing.tables import Letter, LetterNumberCounter
from sodamolek.letter_requests.tables import (
    LetterRequest,
    OfficeDay,
    QueueStamp,
    RequestCorrection,
    RequestCounter,
    RequestEvent,
)
from sodamolek.letters.tables import CityEmblem, LetterType
from sodamolek.people.tables import Resident
from sodamolek.push.tables import PushMessage, PushSubscription
from sodamolek.regions.tables import Kecamatan, Kelurahan
from sodamolek.survey.tables import SurveyResponse
from sodamolek.tte.tables import (
    PassphraseFailure,
    RevocationList,
    SignatureRecord,
    SignerCertificate,
    SignerProfile,
)
from sodamolek.workcalendar.tables import LocalCalendarDay

TABLES = [
    Kecamatan,
    Kelurahan,
    Account,
    LoginAttempt,
    LoginThrottle,
    WebSession,
    ApiToken,
    LetterType,
    CityEmblem,
    Resident,
    LetterRequest,
    RequestEvent,
    RequestCorrection,
    RequestCounter,
    QueueStamp,
    RateLimitWindow,
    Letter,
    LetterNumberCounter,
    PushSubscription,
    PushMessage,
    OfficeDay,
    SurveyResponse,
    LocalCalendarDay,
    SignerCertificate,
    PassphraseFailure,
    RevocationList,
    SignatureRecord,
    SignerProfile,
    Attachment,
    CacheStamp,
]

APP_CONFIG = AppConfig(
    app_name="sodamolek",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "db", "migrations"),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
