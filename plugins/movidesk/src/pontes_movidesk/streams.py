"""Movidesk's tables for warehouse export, named and typed as Kondado's pipeline has them.

Four streams fill every table of that pipeline (the functional spec's seed 002):

- ``persons`` -> ``movidesk_persons`` with ``__relationships``, ``__contacts`` and
  ``__emails``; read whole on every export (the persons API has no documented change
  filter);
- ``tickets`` -> ``movidesk_tickets`` with ``__clients``, ``__owners``, ``__actions`` and
  ``__satisfactionsurveyresponses``, plus ``movidesk_customFieldValues`` and its
  ``__items`` (a table of its own in that pipeline). Incremental on ``lastUpdate`` with a
  lag window (Movidesk's search shows changes minutes late); a full read takes
  ``/tickets/past`` (idle for 90 days) and then ``/tickets``. The satisfaction answers
  come from ``/survey/responses`` (the ticket's ``satisfactionSurveyResponses`` is
  deprecated), and an action's HTML from ``/tickets/htmldescription`` (ticket reads
  carry ``htmlDescription`` only "in some cases"), one call per action, unless the
  connection's ``export_action_html`` is off;
- ``survey_questions`` -> ``movidesk_survey_questions`` with ``__languages``;
- ``survey_responses`` -> ``movidesk_survey_responses``.

Calls are as few as the API allows: pages of ``page_size`` (100, Movidesk's ceiling),
every related list of a ticket through ``$expand`` in the same call, and keyset paging
(``lastUpdate``, then ``id``) so that a page never costs the vendor a deep ``$skip``.
A listing ends at an empty page, never at a short one: Movidesk may answer fewer rows
than asked for (its ceiling has changed before), and a read that stopped there would
move its cursor past the rows it never saw.
Column names are the API's field names in lower case, as Kondado writes them; ids and
codes are text, counts and durations float. A few columns of that pipeline name fields
the API documentation does not list (``systemstatus``, ``isdeleted``,
``movideskticketnumber``, ``linkedtointegratedticketnumber``, ``isgetmethod``, the
address fields of ticket persons): they exist with their types, and stay empty unless
Movidesk sends them, because asking for an unknown field fails the whole call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pontes.plugin import ChildTable, Column, Connection, VendorError, quote_literal

from .client import PAST_TICKETS, PERSONS, TICKETS, get_action_html, list_rows
from .connector import kit
from .dates import filter_literal

SURVEY_QUESTIONS = "/survey/questions"
SURVEY_RESPONSES = "/survey/responses"

RECENT = timedelta(days=90)
PAST_MARGIN = timedelta(days=1)
"""A read from a cursor this much older than 90 days also reads ``/tickets/past``, so a
clock that runs a little differently from Movidesk's loses nothing."""

TICKET_LAG = 600.0
"""Seconds each incremental ticket read goes back before the last exported change."""

TICKET_EXPAND = ("clients", "owner", "actions", "customFieldValues($expand=items)")
TICKET_ANSWERS = "satisfactionSurveyResponses"
"""The key under which a ticket row carries its survey answers (Kondado's table name)."""
SCORE_OF_TYPE = {1: "positiveNegativeResponse", 2: "smileyFacesResponse",
                 3: "netPromoterScoreResponse", 4: "positiveNegativeResponse"}
"""The score column of each survey type (1 satisfied/unsatisfied, 2 smiley faces, 3 NPS,
4 yes/no, whose 1 yes / 2 no read as positive / negative)."""
MODEL_OF_TYPE = {1: 1, 2: 2, 3: 3, 4: 1}
"""Kondado's ``satisfactionsurveymodel`` (1 positive/negative, 2 smiley faces, 3 NPS) of
each survey type."""
PERSON_EXPAND = ("relationships", "contacts", "emails")
UNDOCUMENTED = frozenset({"systemStatus", "isDeleted", "movideskTicketNumber",
                          "linkedToIntegratedTicketNumber"})
"""Ticket fields of Kondado's table that Movidesk's documentation does not list."""


def _columns(spec: str) -> dict[str, Column]:
    """``"name:type:sourceField ..."`` -> columns (type and source may be left out)."""
    columns = {}
    for item in spec.split():
        name, _, rest = item.partition(":")
        column_type, _, source = rest.partition(":")
        columns[name] = Column(column_type or "text", source=source or None)
    return columns


PERSON_COLUMNS = _columns("""
    id persontype::personType classification bossname::bossName cultureid::cultureId
    cpfcnpj::cpfCnpj role observations profiletype::profileType timezoneid::timeZoneId
    codereferenceadditional::codeReferenceAdditional createdby::createdBy
    createddate:timestamp:createdDate bossid::bossId isactive:boolean:isActive
    username::userName changedby::changedBy authenticateon::authenticateOn
    accessprofile::accessProfile changeddate:timestamp:changedDate
    businessname::businessName corporatename::corporateName
""")

TICKET_COLUMNS = _columns("""
    id protocol origin cc slasolutionchangedbyuser:boolean:slaSolutionChangedByUser
    systemstatus::systemStatus isdeleted:boolean:isDeleted chattalktime:float:chatTalkTime
    slasolutiondate:timestamp:slaSolutionDate movideskticketnumber::movideskTicketNumber
    redmineissueid::redmineIssueId closedin:timestamp:closedIn
    slasolutiontime:float:slaSolutionTime type chatwidget::chatWidget
    slaagreement::slaAgreement linkedtointegratedticketnumber::linkedToIntegratedTicketNumber
    createddate:timestamp:createdDate actioncount:float:actionCount
    servicefirstlevel::serviceFirstLevel servicefull::serviceFull tags sequence
    slaresponsetime:float:slaResponseTime jiraissuekey::jiraIssueKey
    servicethirdlevel::serviceThirdLevel resolvedin:timestamp:resolvedIn
    lastactiondate:timestamp:lastActionDate chatwaitingtime:float:chatWaitingTime subject
    category slaresponsedate:timestamp:slaResponseDate slaagreementrule::slaAgreementRule
    reopenedin:timestamp:reopenedIn servicefirstlevelid::serviceFirstLevelId
    lifetimeworkingtime:float:lifeTimeWorkingTime
    slasolutiondateispaused:boolean:slaSolutionDateIsPaused stoppedtime:float:stoppedTime
    basestatus::baseStatus status lastupdate:timestamp:lastUpdate justification
    slarealresponsedate:timestamp:slaRealResponseDate originemailaccount::originEmailAccount
    chatgroup::chatGroup ownerteam::ownerTeam contactform::contactForm
    stoppedtimeworkingtime:float:stoppedTimeWorkingTime
    resolvedinfirstcall:boolean:resolvedInFirstCall servicesecondlevel::serviceSecondLevel
    urgency
""")

TICKET_SELECT = tuple(dict.fromkeys(
    column.source or name for name, column in TICKET_COLUMNS.items()
    if (column.source or name) not in UNDOCUMENTED))
PERSON_SELECT = tuple(column.source or name for name, column in PERSON_COLUMNS.items())

_TICKET_PERSON = """
    persontype::personType reference bairro complement address number phone cep city
    pathpicture::pathPicture profiletype::profileType businessname::businessName email
"""

TICKET_CHILDREN = (
    ChildTable("clients", parent_key={"ticket_id": "id"}, columns=_columns(
        "ticket_id client_id::id isdeleted::isDeleted" + _TICKET_PERSON)),
    ChildTable("owners", path="owner", parent_key={"ticket_id": "id"}, columns=_columns(
        "ticket_id owner_id::id" + _TICKET_PERSON)),
    ChildTable("actions", parent_key={"ticket_id": "id"}, columns=_columns("""
        ticket_id id origin status justification description
        actions__createddate:timestamp:createdDate htmldescription::htmlDescription tags type
        isdeleted:boolean:isDeleted
    """)),
    ChildTable("satisfactionsurveyresponses", path=TICKET_ANSWERS,
               parent_key={"ticket_id": "id"}, columns=_columns("""
        ticket_id satisfactionsurveyresponses__id::id
        positivenegativeresponse:float:positiveNegativeResponse
        responsedate:timestamp:responseDate
        netpromoterscoreresponse:float:netPromoterScoreResponse
        smileyfacesresponse:float:smileyFacesResponse comments
        satisfactionsurveymodel::satisfactionSurveyModel
    """)),
    ChildTable("customFieldValues", table="movidesk_customFieldValues",
               parent_key={"ticket_id": "id", "lastupdate": "lastupdate"}, columns=_columns("""
        ticket_id lastupdate:timestamp line:float customfieldruleid::customFieldRuleId
        customfieldid::customFieldId value
    """), children=(
        ChildTable("items", parent_key={"ticket_id": "ticket_id",
                                        "customfieldid": "customfieldid"}, columns=_columns("""
            ticket_id customfieldid personid::personId storagefileguid::storageFileGuid
            clientid::clientId filename::fileName team customfielditem::customFieldItem
        """)),
    )),
)

PERSON_CHILDREN = (
    ChildTable("relationships", parent_key={"persons_id": "id"}, columns=_columns("""
        persons_id allowallservices:boolean:allowAllServices includeinparents::includeInParents
        isgetmethod:boolean:isGetMethod name slaagreement::slaAgreement
        loadchildorganizations:boolean:loadChildOrganizations
        forcechildrentohavesomeagreement:boolean:forceChildrenToHaveSomeAgreement
        relationship_id::id
    """)),
    ChildTable("contacts", parent_key={"persons_id": "id"}, columns=_columns(
        "persons_id contact isdefault:boolean:isDefault contacttype::contactType")),
    ChildTable("emails", parent_key={"persons_id": "id"}, columns=_columns(
        "emailtype::emailType email isdefault:boolean:isDefault persons_id")),
)


# --- reads ------------------------------------------------------------------------------


@kit.stream("persons", table="movidesk_persons", primary_key=("id",), columns=PERSON_COLUMNS,
            children=PERSON_CHILDREN)
async def read_persons(connection: Connection, cursor: Any) -> AsyncIterator[dict[str, Any]]:
    """People, companies and departments (Pessoas).

    Every person, company and department, in id order (pages keyed on the last id).
    """
    size = connection.settings.page_size
    last: str | None = None
    while True:
        rows = await list_rows(connection.client, PERSONS, select=PERSON_SELECT,
                               expand=PERSON_EXPAND,
                               filter=(f"id gt {quote_literal(last)}"
                                       if last is not None else None),
                               orderby="id asc", top=size)
        if not rows:
            return
        for row in rows:
            yield row
        last = str(rows[-1]["id"])


@kit.stream("tickets", table="movidesk_tickets", primary_key=("id",),
            cursor_field="lastupdate", lag=TICKET_LAG, columns=TICKET_COLUMNS,
            children=TICKET_CHILDREN)
async def read_tickets(connection: Connection,
                       cursor: datetime | None) -> AsyncIterator[dict[str, Any]]:
    """Tickets with clients, owner, actions, custom fields and satisfaction answers.

    Those changed since ``cursor`` (all when ``None``), oldest change first.
    ``/tickets/past`` comes first when the cursor is older than 90 days; its tickets all
    changed before those of ``/tickets``, so the order holds across both. The survey
    answers are read once, when the first ticket comes.
    """
    answers: dict[int, list[dict[str, Any]]] | None = None
    paths = [TICKETS]
    if cursor is None or cursor < datetime.now(UTC) - RECENT - PAST_MARGIN:
        paths.insert(0, PAST_TICKETS)
    for path in paths:
        async for ticket in _ticket_pages(connection, path, cursor):
            if answers is None:
                answers = await _answers_by_ticket(connection)
            ticket[TICKET_ANSWERS] = answers.get(ticket["id"], [])
            if connection.settings.export_action_html:
                await _fill_action_html(connection, ticket)
            yield ticket


async def _answers_by_ticket(connection: Connection) -> dict[int, list[dict[str, Any]]]:
    """Every survey response, shaped as the ticket's answers table, by ticket id."""
    found: dict[int, list[dict[str, Any]]] = {}
    async for response in _survey_pages(connection, SURVEY_RESPONSES):
        if response.get("ticketId") is not None:
            found.setdefault(int(response["ticketId"]), []).append(_ticket_answer(response))
    return found


def _ticket_answer(response: dict[str, Any]) -> dict[str, Any]:
    """A ``/survey/responses`` item as a row of ``__satisfactionsurveyresponses``."""
    answer = {"id": response.get("id"), "responseDate": response.get("responseDate"),
              "comments": response.get("commentary"),
              "satisfactionSurveyModel": MODEL_OF_TYPE.get(response.get("type"))}
    score = SCORE_OF_TYPE.get(response.get("type"))
    if score:
        answer[score] = response.get("value")
    return answer


async def _fill_action_html(connection: Connection, ticket: dict[str, Any]) -> None:
    """Put each action's HTML in its ``htmlDescription`` where the read left it out."""
    for action in ticket.get("actions") or []:
        if action.get("htmlDescription") is None and action.get("id") is not None:
            action["htmlDescription"] = await get_action_html(
                connection.client, ticket["id"], action["id"])


async def _ticket_pages(connection: Connection, path: str,
                        since: datetime | None) -> AsyncIterator[dict[str, Any]]:
    """Every page of ``path`` ordered by (``lastUpdate``, ``id``), each from the last key."""
    size = connection.settings.page_size
    start = f"lastUpdate ge {filter_literal(since)}" if since is not None else None
    last: tuple[str, int] | None = None
    while True:
        conditions = [start] if start else []
        if last is not None:
            moment = _literal(last[0])
            conditions = [f"lastUpdate ge {moment}",
                          f"(lastUpdate gt {moment} or id gt {last[1]})"]
        rows = await list_rows(connection.client, path, select=TICKET_SELECT,
                               expand=TICKET_EXPAND,
                               filter=" and ".join(conditions) or None,
                               orderby="lastUpdate asc,id asc", top=size)
        if not rows:
            return
        for row in rows:
            yield row
        key = (rows[-1]["lastUpdate"], rows[-1]["id"])
        if last is not None and key <= last:
            raise VendorError(f"{path} answered the page after {last} with older tickets; "
                              "stopping rather than reading in circles")
        last = key


def _literal(value: str) -> str:
    """A ``lastUpdate`` as Movidesk wrote it, as a filter literal (all its digits kept)."""
    return value if value.endswith(("Z", "z")) or "+" in value[10:] else f"{value}Z"


async def _survey_pages(connection: Connection, path: str) -> AsyncIterator[dict[str, Any]]:
    """Every item of a survey endpoint (``{"hasMore", "items"}`` pages, ``startingAfter``).

    ``limit`` is the connection's ``page_size`` (the survey endpoints take 1 to 100, as
    the lists do).
    """
    params: dict[str, Any] = {"limit": connection.settings.page_size}
    while True:
        page = await connection.client.get_json(path, params=params) or {}
        items = page.get("items") or []
        for item in items:
            yield item
        if not page.get("hasMore") or not items:
            return
        params["startingAfter"] = items[-1]["id"]


@kit.stream("survey_questions", table="movidesk_survey_questions", primary_key=("id",),
            columns=_columns("id type:float isactive:boolean:isActive"),
            children=(ChildTable("languages", parent_key={"question_id": "id"},
                                 columns=_columns("question_id cultureid::cultureId "
                                                  "description")),))
async def read_survey_questions(connection: Connection,
                                cursor: Any) -> AsyncIterator[dict[str, Any]]:
    """Satisfaction survey questions (Perguntas)."""
    async for question in _survey_pages(connection, SURVEY_QUESTIONS):
        yield question


@kit.stream("survey_responses", table="movidesk_survey_responses", primary_key=("id",),
            columns=_columns("""
                id questionid::questionId responsedate:timestamp:responseDate value:float
                commentary ticketid:float:ticketId type:float clientid::clientId
            """))
async def read_survey_responses(connection: Connection,
                                cursor: Any) -> AsyncIterator[dict[str, Any]]:
    """Satisfaction survey responses (Respostas).

    Every answer to the satisfaction survey.
    """
    async for response in _survey_pages(connection, SURVEY_RESPONSES):
        yield response
