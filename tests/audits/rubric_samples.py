"""The issue's example rubric, as YAML, shared by the rubric tests."""

EXAMPLE_YAML = """\
key: phone-standard
name: Phone call to the main office
channel: phone
critical_policy: flag
sections:
  - key: greeting
    title: Greeting
    items:
      - key: answered_by_person
        prompt: Did a person (not a machine) answer?
        kind: yes_no
        points: 5
        critical: true
      - key: rings
        prompt: Rings before a person answered
        kind: timing
        unit: rings
        bands: [[3, 1.0], [5, 0.5]]
        points: 3
        guidance: Count rings until a person speaks; an auto-attendant is not a person.
        tip: Answer within three rings.
  - key: service
    title: Service
    items:
      - key: courtesy
        prompt: How courteous was the staff member?
        kind: scale
        max: 4
        points: 4
        allow_na: true
      - key: accuracy
        prompt: How complete was the answer?
        kind: choice
        options:
          - {label: Complete and correct, fraction: 1.0}
          - {label: Partly correct, fraction: 0.5}
          - {label: Wrong or none, fraction: 0.0}
        points: 6
      - key: impression
        prompt: In a sentence, what was your impression?
        kind: text
"""
