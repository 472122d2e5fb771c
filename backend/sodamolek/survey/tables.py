from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz
from piccolo.table import Table

from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.regions.tables import Kelurahan


class SurveyResponse(Table, tablename="survey_response"):
    """One resident's answers to the satisfaction survey (SKM, PermenPANRB 14/2017) after
    collecting a letter: one per request, a score 1–4 per element and an optional comment.
    No personal data: the request and the office are ids, nothing names the resident."""

    id: Serial

    request = ForeignKey(LetterRequest, null=False, unique=True)
    kelurahan = ForeignKey(Kelurahan, null=False)
    requirements = Integer()  # U1 persyaratan
    procedure = Integer()  # U2 sistem, mekanisme, dan prosedur
    duration = Integer()  # U3 waktu penyelesaian
    cost = Integer()  # U4 biaya/tarif
    product = Integer()  # U5 produk spesifikasi jenis pelayanan
    competence = Integer()  # U6 kompetensi pelaksana
    conduct = Integer()  # U7 perilaku pelaksana
    complaints = Integer()  # U8 penanganan pengaduan, saran dan masukan
    facilities = Integer()  # U9 sarana dan prasarana
    comment = Text(default="")
    created_at = Timestamptz()
